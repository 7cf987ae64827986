"""How early could ANY detector find the border scenario's surges? A Neyman-Pearson bound.

    .venv/bin/python -m bench.detect.bound

For each of the 100 surges that start in the evaluated year, take an oracle that knows
everything the detector does not: the true daily mean, the negative-binomial size, the day the
surge starts and its exact profile (data/border_event_truth.csv). Whatever a detector does,
"an alarm on one of the surge's first L days" is a test of "no surge" against "this surge",
using the counts up to day L. Its false-alarm probability is at most the sum of the detector's
false-alarm probabilities on those L days, which is L x FA / 365.25 on average for FA false
alarms per series-year. By the Neyman-Pearson lemma no test of that size is more powerful than
the likelihood-ratio test, whose power is computed here by simulation. Letting the oracle share
its false-alarm budget between surges as it likes (a Lagrangian bound over the 100 surges) gives
an upper bound on the fraction of surges ANY detector can catch within L days at that rate.

A median delay of d days needs about half of the surges caught within their first d + 1 days.
The script prints the bound next to the fraction that ``border`` actually catches.
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict

import numpy as np
from bench.detect.common import DATA, load_scenario
from bench.detect.run import CONFIGS, run_scenario

DAYS = 10
ALPHAS = np.concatenate([[0.0], np.geomspace(1e-5, 1.0, 300)])
LAMBDAS = np.concatenate([[0.0], np.geomspace(1e-3, 1e5, 500)])


def _events() -> list[tuple[np.ndarray, np.ndarray, float]]:
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    with (DATA / "border_event_truth.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            rows[row["event_id"]].append(row)
    out = []
    for event in rows.values():
        event.sort(key=lambda r: int(r["event_day"]))
        mu = np.array([float(r["mu"]) for r in event[:DAYS]])
        mult = np.array([float(r["multiplier"]) for r in event[:DAYS]])
        out.append((mu, mult, float(event[0]["nb_size"])))
    return out


def _power_curves(
    mu: np.ndarray, mult: np.ndarray, size: float, draws: int, rng: np.random.Generator
) -> np.ndarray:
    """Power of the randomised likelihood-ratio test at each size in ALPHAS, for L = 1..DAYS."""
    m0, m1 = mu, mu * mult
    slope = np.log(m1 * (size + m0) / (m0 * (size + m1)))
    const = size * np.log((size + m0) / (size + m1))

    def llr(mean: np.ndarray) -> np.ndarray:
        y = rng.negative_binomial(size, size / (size + mean), size=(draws, mean.size))
        out: np.ndarray = np.cumsum(y * slope + const, axis=1)
        return out

    null, alt = llr(m0), llr(m1)
    curves = np.zeros((DAYS, ALPHAS.size))
    for day in range(DAYS):
        l0, l1 = np.sort(null[:, day]), np.sort(alt[:, day])
        cut = l0[np.clip(np.ceil((1.0 - ALPHAS) * draws).astype(int), 0, draws - 1)]
        above0 = draws - np.searchsorted(l0, cut, side="right")
        tied0 = np.searchsorted(l0, cut, side="right") - np.searchsorted(l0, cut, side="left")
        above1 = draws - np.searchsorted(l1, cut, side="right")
        tied1 = np.searchsorted(l1, cut, side="right") - np.searchsorted(l1, cut, side="left")
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.clip((ALPHAS * draws - above0) / tied0, 0.0, 1.0)
        share = np.where(tied0 > 0, share, 0.0)
        curves[day] = np.where(ALPHAS >= 1.0, 1.0, (above1 + share * tied1) / draws)
    return curves


def bound(curves: np.ndarray, budget: float) -> float:
    """Largest mean power over events when their sizes average at most ``budget``."""
    # weak duality: for every lambda >= 0, sum_e max_a [P_e(a) - lambda a] + lambda * budget * E
    best = np.max(curves[:, None, :] - LAMBDAS[None, :, None] * ALPHAS[None, None, :], axis=2)
    values = best.sum(axis=0) + LAMBDAS * budget * curves.shape[0]
    return float(values.min() / curves.shape[0])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--draws", type=int, default=20000, help="simulations per surge")
    o = ap.parse_args(argv)
    rng = np.random.default_rng(20261128)
    events = _events()
    curves = np.stack([_power_curves(mu, m, s, o.draws, rng) for mu, m, s in events])
    scenario = load_scenario("border")
    red, _, _ = run_scenario(scenario, CONFIGS["border"])
    amber, _, _ = run_scenario(scenario, CONFIGS["border_amber"])
    rates = (1.0, 2.0, 3.0, 10.0)
    print(f"{len(events)} surges starting in the evaluated year; {o.draws} simulations each.")
    print("Fraction of surges caught within their first L days (delay <= L - 1): the bound for")
    print("any detector at the given false alarms per series-year, and what border achieves.\n")
    print(
        "| L (days) | delay | "
        + " | ".join(f"bound at {fa:g} FA/yr" for fa in rates)
        + f" | border red ({red.false_alarms_per_series_year:.2f} FA/yr)"
        f" | border amber or red ({amber.false_alarms_per_series_year:.1f} FA/yr) |"
    )
    print("|---" * (len(rates) + 4) + "|")
    for day in range(DAYS):
        cells = [bound(curves[:, day, :], (day + 1) * fa / 365.25) for fa in rates]
        caught = [float(np.sum(np.array(sc.delays) <= day)) / sc.events for sc in (red, amber)]
        print(
            f"| {day + 1} | <= {day} | "
            + " | ".join(f"{c:.2f}" for c in cells)
            + f" | {caught[0]:.2f} | {caught[1]:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
