// The situation map: countries from the bundled GeoJSON, sections coloured by alarm level,
// sites sized by capacity and coloured by how full. No tile layer: nothing leaves the server.
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box || typeof L === "undefined") { return; }
  var LEVEL = { none: "#3b6ea5", amber: "#f0b400", red: "#c0392b" };
  var map = L.map(box, { zoomSnap: 0.25, attributionControl: false });
  map.setView([55.0, 24.5], 6);

  function fullness(site) {
    if (site.percent_full === null) { return "#777"; }
    if (site.percent_full >= 100) { return LEVEL.red; }
    if (site.percent_full >= 80) { return LEVEL.amber; }
    return "#2e7d32";
  }

  function text(value) { return value === null || value === undefined ? "—" : String(value); }

  function popup(lines) {
    var div = document.createElement("div");
    lines.forEach(function (line) {
      var p = document.createElement("div");
      p.textContent = line;  // textContent: names from the database are never parsed as HTML
      div.appendChild(p);
    });
    return div;
  }

  Promise.all([
    fetch(box.dataset.countries, { credentials: "same-origin" }).then(function (r) { return r.json(); }),
    fetch(box.dataset.situation, { credentials: "same-origin" }).then(function (r) { return r.json(); })
  ]).then(function (loaded) {
    var countries = L.geoJSON(loaded[0], {
      style: { color: "#667", weight: 1, fillColor: "#fbfbf8", fillOpacity: 1 }
    }).addTo(map);
    var situation = loaded[1];
    var bounds = L.latLngBounds([]);
    situation.sections.forEach(function (s) {
      if (!s.line || s.line.length < 2) { return; }
      var latlngs = s.line.map(function (p) { return [p[1], p[0]]; });
      // A section without a series of its own shows its country's level: dashed, and said so.
      var inherited = s.alarm_from === "country";
      var line = L.polyline(latlngs, {
        color: LEVEL[s.alarm_level] || LEVEL.none, weight: 5, dashArray: inherited ? "8 6" : null,
        className: "section " + s.alarm_level + " from-" + s.alarm_from
      });
      line.bindPopup(popup([s.id + " — " + s.name, "alarm: " + s.alarm_level + (inherited
        ? " (" + s.country + "'s level: the section has no series of its own)"
        : " (the section's own series)")]));
      line.addTo(map);
      bounds.extend(line.getBounds());
    });
    situation.sites.forEach(function (s) {
      if (s.lat === null || s.lon === null) { return; }
      var radius = 5 + Math.sqrt(s.capacity || s.occupancy || 25) / 2;
      var marker = L.circleMarker([s.lat, s.lon], {
        radius: radius, color: "#222", weight: 1, fillColor: fullness(s), fillOpacity: 0.85, className: "site"
      });
      marker.bindPopup(popup([s.name, "occupancy " + text(s.occupancy) + " of " + text(s.capacity),
        s.as_of ? "as of " + s.as_of : ""]));
      marker.addTo(map);
      bounds.extend(marker.getLatLng());
    });
    map.fitBounds(bounds.isValid() ? bounds.pad(0.15) : countries.getBounds());
    box.dataset.ready = "yes";
  }).catch(function (error) {
    box.textContent = "The map could not be drawn: " + error;
  });
})();
