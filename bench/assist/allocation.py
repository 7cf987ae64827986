"""The allocation on a SYNTHETIC instance: 2,000 request lines × 5,000 offers, solved by
sitroom's proposal (HiGHS through scipy.optimize.milp) and by a first-come greedy allocation.

Every need and offer is made up by a seeded generator; nothing here is real assistance data.

    .venv/bin/python -m bench.assist.allocation                 # the stated instance, seed 2021
    .venv/bin/python -m bench.assist.allocation --needs 200 --offers 500 --seed 7

It prints the time to the proposal, its weighted shortfall, the solver's bound on the optimum
(its dual bound: no allocation can do better), the gap between them, and the greedy
allocation's weighted shortfall on the same instance.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import date, timedelta

from sitroom.analysis.assist.allocate import Need, Supply, allocate, greedy

ITEMS = [
    "tent_60",
    "tent_10",
    "bed",
    "blanket",
    "sleeping_bag",
    "heater",
    "generator",
    "food_ration",
    "hygiene_kit",
    "border_guard",
    "patrol_vehicle",
    "interpreter",
]
DESTINATIONS = [
    "LT",
    "LV",
    "PL",
    "LT-PABRADE",
    "LT-RUKLA",
    "LT-MEDININKAI",
    "LV-DAUGAVPILS",
    "PL-BIALYSTOK",
]
WEIGHTS = [(8.0, 0.1), (4.0, 0.25), (2.0, 0.45), (1.0, 0.2)]
START = date(2021, 7, 15)


def instance(n_needs: int, n_offers: int, seed: int) -> tuple[list[Need], list[Supply]]:
    rng = random.Random(seed)
    weights, probs = zip(*WEIGHTS, strict=True)
    needs = [
        Need(
            key=f"N{i}",
            item=rng.choice(ITEMS),
            quantity=float(rng.randint(10, 500)),
            weight=rng.choices(weights, probs)[0],
            destination=rng.choice(DESTINATIONS),
            needed_by=START + timedelta(days=rng.randint(0, 60)),
            order=rng.randint(0, 10**6),  # posting order: unrelated to priority, as in life
        )
        for i in range(n_needs)
    ]
    supplies = [
        Supply(
            key=f"S{j}",
            item=rng.choice(ITEMS),
            quantity=float(rng.randint(5, 200)),
            provider=f"P{rng.randint(1, 40)}",
            destinations=frozenset(rng.sample(DESTINATIONS, rng.randint(1, 3))),
            available_on=START + timedelta(days=rng.randint(0, 75)),
            order=rng.randint(0, 10**6),
        )
        for j in range(n_offers)
    ]
    return needs, supplies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--needs", type=int, default=2000)
    parser.add_argument("--offers", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--repeat", type=int, default=3, help="time the proposal this many times")
    args = parser.parse_args()
    needs, supplies = instance(args.needs, args.offers, args.seed)
    asked = sum(n.quantity for n in needs)
    held = sum(s.quantity for s in supplies)
    print(
        f"synthetic instance (seed {args.seed}): {len(needs)} needs asking {asked:,.0f} units, "
        f"{len(supplies)} offers holding {held:,.0f}"
    )
    times, cpu = [], []
    for _ in range(args.repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        best = allocate(needs, supplies)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    first = greedy(needs, supplies)
    margin = (first.cost - best.cost) / first.cost
    print(
        f"proposal: {min(times):.2f} s wall, {min(cpu):.2f} s CPU, best of {args.repeat} "
        f"(wall: {', '.join(f'{t:.2f}' for t in times)}; CPU: {', '.join(f'{t:.2f}' for t in cpu)})"
    )
    print(
        f"  load average while it ran: {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} cores"
    )
    print(
        f"  weighted shortfall {best.cost:,.1f}; solver bound {best.bound:,.1f}; gap {best.gap:.3%}"
    )
    print(f"  units uncovered {best.shortfall:,.0f}; moves {len(best.moves):,}")
    print(
        f"first-come greedy: weighted shortfall {first.cost:,.1f}; units uncovered "
        f"{first.shortfall:,.0f}; {first.seconds:.2f} s"
    )
    print(f"the proposal's weighted shortfall is {margin:.1%} below first-come's")


if __name__ == "__main__":
    main()
