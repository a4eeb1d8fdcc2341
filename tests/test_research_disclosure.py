"""The outcome monitor's breakdowns decided together (disclosure.joint_shown): a brute-force
checker lists every shown cell and every union of shown cells of one breakdown, and every pair
of them across breakdowns where one lies inside the other, and asserts that no difference holds
1 to 4 companies. Run on hand-made worlds that leak when each breakdown is suppressed on its own
(disclosure.shown_cells), and on a few hundred random worlds."""
import random
from itertools import combinations

from community.research import disclosure

MIN = disclosure.MIN_COMPANIES


def unions(cells, keys):
    keys = sorted(keys, key=str)
    for size in range(1, len(keys) + 1):
        for chosen in combinations(keys, size):
            yield chosen, set().union(*(cells[key] for key in chosen))


def leaks(breakdowns, shown, company_of=lambda member: member):
    """Every (breakdown, keys, breakdown, keys, companies) whose difference holds 1..4 companies."""
    found = []
    sets = [(name, keys, members) for name, cells in breakdowns.items() for keys, members in unions(cells, shown[name])]
    for outer_name, outer_keys, outer in sets:
        for inner_name, inner_keys, inner in sets:
            if outer_name != inner_name and inner <= outer:
                rest = {company_of(member) for member in outer - inner}
                if 0 < len(rest) < MIN:
                    found.append((outer_name, outer_keys, inner_name, inner_keys, rest))
    return found


def each_on_its_own(breakdowns, company_of=lambda member: member):
    """The rule before: every breakdown suppressed by itself."""
    result = {}
    for name, cells in breakdowns.items():
        total, keys = disclosure.shown_cells({k: {company_of(m) for m in v} for k, v in cells.items()})
        result[name] = keys if total else set()
    return result


def world(**breakdowns):
    everyone = set().union(*next(iter(breakdowns.values())).values())
    return {"none": {"total": everyone}, **breakdowns}


def span(start, stop):
    return set(range(start, stop))


HAND_MADE = [
    # A community cell over companies 1..6, a sector cell over 1..5: company 6 by difference.
    world(community={"a": span(1, 7), "b": span(7, 12)}, sector={"x": span(1, 6), "y": span(6, 12)}),
    # Two sector cells inside one community cell of eleven: the union leaves company 11.
    world(community={"a": span(1, 12), "b": span(12, 17)}, sector={"x": span(1, 6), "y": span(6, 11),
                                                                    "z": span(11, 17)}),
    # A year cell of eight companies around a community cell of five.
    world(year={2025: span(1, 9), 2026: span(9, 16)}, community={"a": span(1, 6), "b": span(6, 16)}),
    # Three breakdowns, each leaking against another.
    world(community={"a": span(1, 8), "b": span(8, 15)}, sector={"x": span(1, 6), "y": span(6, 15)},
          year={2025: span(1, 10), 2026: span(10, 15)}),
]


def test_hand_made_worlds_leak_when_each_breakdown_is_decided_alone():
    for breakdowns in HAND_MADE:
        assert leaks(breakdowns, each_on_its_own(breakdowns)), breakdowns


def test_hand_made_worlds_do_not_leak_when_decided_together():
    for breakdowns in HAND_MADE:
        shown = disclosure.joint_shown(breakdowns)
        assert leaks(breakdowns, shown) == [], (breakdowns, shown)
        assert shown["none"] == {"total"}          # the total (at least five companies) stays
        for name, keys in shown.items():
            assert all(len(breakdowns[name][key]) >= MIN for key in keys)


def test_the_first_world_keeps_what_is_safe():
    breakdowns = HAND_MADE[0]
    shown = disclosure.joint_shown(breakdowns)
    # Sector x (five companies, the smallest in the leak with community a) is withheld; then
    # community b (five) lies inside sector y (six) and is withheld; a and y do not nest.
    assert shown == {"none": {"total"}, "community": {"a"}, "sector": {"y"}}


def test_four_companies_show_nothing_five_show_the_total():
    four = world(community={"a": span(1, 5)}, sector={"x": span(1, 3), "y": span(3, 5)})
    assert disclosure.joint_shown(four) == {"none": set(), "community": set(), "sector": set()}
    five = world(community={"a": span(1, 6)}, sector={"x": span(1, 3), "y": span(3, 6)})
    assert disclosure.joint_shown(five) == {"none": {"total"}, "community": {"a"}, "sector": set()}


def test_trajectories_of_one_company_in_two_cells():
    """Members are trajectories: company 1 has two, in different years but the same community.
    Community a minus year 2025 (both inside it) leaves company 1's second trajectory."""
    company = {t: t for t in range(1, 11)}
    company[100] = 1
    breakdowns = world(community={"a": span(1, 6) | {100}, "b": span(6, 11)},
                       year={2025: span(1, 6), 2026: span(6, 11) | {100}})
    assert leaks(breakdowns, each_on_its_own(breakdowns, company.get), company.get)
    shown = disclosure.joint_shown(breakdowns, company_of=company.get)
    assert leaks(breakdowns, shown, company.get) == []


def random_world(rng):
    """5 to 24 companies, some with two trajectories; a sector per company, a community and a
    year per trajectory."""
    company = {}
    for c in range(rng.randint(5, 24)):
        for t in range(rng.choice((1, 1, 1, 2))):
            company[c * 10 + t] = c
    breakdowns = {"none": {"total": set(company)}}
    sectors = [rng.randrange(4) for _ in range(25)]
    for name, parts in (("community", rng.randint(1, 4)), ("sector", 4), ("year", rng.randint(1, 3))):
        cells = {}
        for member in company:
            # Mostly following the sector (so cells of different breakdowns nearly nest), at times not.
            home = sectors[company[member]]
            key = home if name == "sector" else (home % parts if rng.random() < 0.85 else rng.randrange(parts))
            cells.setdefault(key, set()).add(member)
        breakdowns[name] = cells
    return breakdowns, company


def test_random_worlds_never_leak():
    rng = random.Random(20)
    leaking_before = 0
    for _ in range(300):
        breakdowns, company = random_world(rng)
        leaking_before += bool(leaks(breakdowns, each_on_its_own(breakdowns, company.get), company.get))
        shown = disclosure.joint_shown(breakdowns, company_of=company.get)
        assert leaks(breakdowns, shown, company.get) == [], breakdowns
        everyone = {company[m] for m in breakdowns["none"]["total"]}
        assert (shown["none"] == {"total"}) == (len(everyone) >= MIN)
    assert leaking_before > 50    # 105 of the 300 leak when each breakdown is decided alone
