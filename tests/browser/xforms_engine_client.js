// A second, real OpenRosa client: the ODK Web Forms engine (@getodk/xforms-engine, from npm)
// in Chromium does what Collect does — the form list, the form, its manifest and choice lists
// — fills the form with SYNTHETIC answers and posts the instance it serialises itself.
import { createInstance } from '/xforms-engine/index.js';

const NS_LIST = 'http://openrosa.org/xforms/xformsList';
const NS_MANIFEST = 'http://openrosa.org/xforms/xformsManifest';

function leaves(node, found = new Map()) {
  const children = node.currentState.children;
  if (children == null) {
    found.set(String(node.currentState.reference).split('/').pop(), node);
    return found;
  }
  for (const child of children) leaves(child, found);
  return found;
}

function text(element, ns, name) {
  return element.getElementsByTagNameNS(ns, name)[0]?.textContent ?? '';
}

export async function fillAndSubmit({ auth, formId, answers }) {
  const headers = { Authorization: auth, 'X-OpenRosa-Version': '1.0' };
  const get = async (url) => {
    const response = await fetch(url, { headers });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.text();
  };
  const parse = (xml) => new DOMParser().parseFromString(xml, 'text/xml');
  const list = parse(await get('/openrosa/formList'));
  const entry = [...list.getElementsByTagNameNS(NS_LIST, 'xform')].find(
    (x) => text(x, NS_LIST, 'formID') === formId,
  );
  const formXml = await get(text(entry, NS_LIST, 'downloadUrl'));
  const manifest = parse(await get(text(entry, NS_LIST, 'manifestUrl')));
  const media = new Map();
  for (const file of manifest.getElementsByTagNameNS(NS_MANIFEST, 'mediaFile')) {
    media.set(text(file, NS_MANIFEST, 'filename'), await get(text(file, NS_MANIFEST, 'downloadUrl')));
  }
  const form = await createInstance(formXml, {
    form: {
      fetchFormAttachment: async (url) => {
        const name = String(url.href ?? url).split('/').pop();
        const body = media.get(name);
        return new Response(body ?? '', { status: body === undefined ? 404 : 200 });
      },
    },
  });
  const nodes = leaves(form.root);
  const choices = {};
  for (const [name, value] of Object.entries(answers)) {
    const node = nodes.get(name);
    if (node === undefined) throw new Error(`no field ${name} in ${[...nodes.keys()]}`);
    if (node.nodeType === 'select') {
      choices[name] = node.currentState.valueOptions.map((o) => o.value);
      node.selectValue(value);
    } else {
      node.setValue(value);
    }
  }
  const payload = await form.root.prepareInstancePayload();
  if (payload.status !== 'ready') {
    return { status: payload.status, violations: JSON.stringify(payload.violations) };
  }
  const data = payload.data[0];
  const instanceXml = await data.get('xml_submission_file').text();
  const head = await fetch('/openrosa/submission', { method: 'HEAD', headers });
  const posted = await fetch('/openrosa/submission', { method: 'POST', headers, body: data });
  return {
    status: payload.status,
    head: head.status,
    posted: posted.status,
    reply: await posted.text(),
    instanceXml,
    choices,
  };
}
