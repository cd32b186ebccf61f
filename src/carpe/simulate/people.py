"""Employees, their departments and roles, and the names of people and companies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from carpe.simulate.schema import Kind

Array = npt.NDArray[Any]

FIRST_NAMES: Final = (
    "Ana",
    "Marco",
    "Sofia",
    "Jonas",
    "Lena",
    "Pedro",
    "Ines",
    "Tomas",
    "Clara",
    "Luca",
    "Marta",
    "David",
    "Elena",
    "Hugo",
    "Nora",
    "Pablo",
    "Julia",
    "Felix",
    "Rita",
    "Oskar",
    "Lucia",
    "Daniel",
    "Eva",
    "Mateo",
    "Laura",
    "Simon",
    "Paula",
    "Anton",
    "Irene",
    "Bruno",
    "Sara",
    "Nils",
    "Carmen",
    "Leon",
    "Alba",
    "Emil",
    "Vera",
    "Diego",
    "Greta",
    "Rafael",
    "Mia",
    "Jakob",
    "Lea",
    "Tiago",
    "Hanna",
    "Ivan",
    "Zoe",
    "Samuel",
    "Noemi",
    "Erik",
    "Amelie",
    "Joao",
    "Chloe",
    "Karim",
    "Yasmin",
    "Omar",
    "Priya",
    "Arjun",
    "Mei",
    "Kenji",
    "Fatima",
    "Ali",
    "Grace",
    "Tobias",
    "Helena",
    "Victor",
    "Alice",
    "Louis",
    "Beatriz",
    "Mario",
)
LAST_NAMES: Final = (
    "Silva",
    "Keller",
    "Rossi",
    "Novak",
    "Garcia",
    "Jansen",
    "Costa",
    "Weber",
    "Moreau",
    "Lind",
    "Santos",
    "Fischer",
    "Ricci",
    "Horvat",
    "Lopez",
    "de Vries",
    "Pereira",
    "Schmidt",
    "Dubois",
    "Berg",
    "Ferreira",
    "Wagner",
    "Greco",
    "Kovac",
    "Martin",
    "Bakker",
    "Almeida",
    "Hoffmann",
    "Laurent",
    "Nilsson",
    "Oliveira",
    "Becker",
    "Conti",
    "Varga",
    "Navarro",
    "Visser",
    "Rocha",
    "Richter",
    "Girard",
    "Holm",
    "Sousa",
    "Wolf",
    "Marino",
    "Nagy",
    "Romero",
    "Smit",
    "Ramos",
    "Braun",
    "Fontaine",
    "Dahl",
    "Khan",
    "Patel",
    "Nakamura",
    "Haddad",
    "Okafor",
    "Chen",
)

COMPANY_HEADS: Final = (
    "Nordwerk",
    "Alpina",
    "Rheinmetall",
    "Iberforja",
    "Baltic",
    "Danubia",
    "Atlas",
    "Vulcan",
    "Helix",
    "Kestrel",
    "Orion",
    "Tagus",
    "Meridian",
    "Polaris",
    "Castell",
    "Brenner",
    "Lusitania",
    "Hanse",
    "Carpathia",
    "Adria",
    "Norrland",
    "Elbe",
    "Douro",
    "Saxon",
    "Tirol",
    "Ardennes",
    "Galicia",
    "Fjord",
    "Pannonia",
    "Lombard",
    "Bavaria",
    "Aragon",
    "Rhone",
)
COMPANY_TRADES: Final = (
    "Precision",
    "Hydraulics",
    "Packaging",
    "Metalworks",
    "Plastics",
    "Foods",
    "Automation",
    "Castings",
    "Textiles",
    "Components",
    "Logistics",
    "Pharma",
    "Printing",
    "Glass",
    "Motors",
    "Timber",
    "Ceramics",
    "Chemicals",
    "Tooling",
    "Beverages",
)
COMPANY_FORMS: Final = ("GmbH", "S.A.", "B.V.", "S.L.", "Ltd", "AG", "S.p.A.", "AB", "Lda")

REGIONS: Final[dict[str, tuple[str, ...]]] = {
    "b2b": ("Iberia", "DACH", "Benelux", "Nordics", "France", "Italy", "Central Europe"),
    "b2c": (
        "Lisboa Chiado",
        "Porto Baixa",
        "Braga Centro",
        "Coimbra Baixa",
        "Faro Marina",
        "Lisboa Alvalade",
        "Porto Foz",
        "Aveiro Centro",
        "Setubal Centro",
        "Evora Centro",
    ),
}


@dataclass(frozen=True)
class DepartmentSpec:
    """How a department staffs the business."""

    name: str
    roles: tuple[str, ...]
    frontline: bool
    accounts_per_employee: int
    regional: bool
    phrase: str
    """How customers refer to someone of this department: "Ana in dispatch"."""


DEPARTMENTS: Final[dict[str, tuple[DepartmentSpec, ...]]] = {
    "b2b": (
        DepartmentSpec(
            "Sales", ("Account Manager", "Key Account Manager"), True, 90, True, "sales"
        ),
        DepartmentSpec(
            "Customer Success", ("Customer Success Manager",), True, 140, True, "customer success"
        ),
        DepartmentSpec(
            "Support", ("Support Engineer", "Support Agent"), True, 160, False, "support"
        ),
        DepartmentSpec(
            "Operations", ("Dispatcher", "Production Planner"), True, 220, False, "dispatch"
        ),
        DepartmentSpec(
            "Field Service",
            ("Field Technician", "Service Engineer"),
            True,
            160,
            True,
            "field service",
        ),
        DepartmentSpec(
            "Billing",
            ("Billing Clerk", "Accounts Receivable Specialist"),
            True,
            260,
            False,
            "billing",
        ),
    ),
    "b2c": (
        DepartmentSpec(
            "Stylists", ("Stylist", "Senior Stylist", "Colourist"), True, 70, True, "the salon"
        ),
        DepartmentSpec("Front Desk", ("Receptionist",), True, 260, True, "the front desk"),
        DepartmentSpec(
            "Operations", ("Online Orders Coordinator",), True, 900, False, "online orders"
        ),
        DepartmentSpec("Billing", ("Billing Assistant",), True, 1200, False, "billing"),
        DepartmentSpec("Support", ("Customer Care Agent",), True, 700, False, "customer care"),
    ),
}
"""Departments per kind of business. The first one (or two for b2b) own accounts."""

OWNER_DEPARTMENTS: Final[dict[str, tuple[str, ...]]] = {
    "b2b": ("Sales", "Customer Success"),
    "b2c": ("Stylists",),
}
SERVICE_DEPARTMENTS: Final[dict[str, tuple[str, ...]]] = {
    "b2b": ("Support", "Operations", "Field Service", "Billing"),
    "b2c": ("Front Desk", "Operations", "Billing", "Support"),
}
"""Departments that assign one employee to each account besides its owner."""

SPECIALIST_DEPARTMENTS: Final[dict[str, tuple[str, ...]]] = {
    "b2b": ("Sales", "Customer Success", "Support", "Operations", "Field Service", "Billing"),
    "b2c": ("Stylists", "Front Desk", "Operations", "Billing", "Support"),
}
DECOY_DEPARTMENTS: Final[dict[str, tuple[str, ...]]] = {
    "b2b": ("Sales", "Support", "Operations"),
    "b2c": ("Stylists", "Support"),
}
COMPONENTS: Final[dict[str, str]] = {
    "Sales": "personal follow-ups kept",
    "Customer Success": "proactive outreach",
    "Support": "first-contact resolution",
    "Operations": "on-time delivery",
    "Field Service": "first-time fix",
    "Billing": "billing accuracy",
    "Stylists": "personal follow-ups kept",
    "Front Desk": "proactive outreach",
}


@dataclass(frozen=True)
class Staff:
    """Every employee of the simulated business, as parallel arrays indexed by employee."""

    names: tuple[str, ...]
    first_names: tuple[str, ...]
    departments: tuple[str, ...]
    roles: tuple[str, ...]
    dept: Array
    """Department index (into ``department_names``) per employee."""
    region: Array
    """Region index per employee, -1 for central departments."""
    hired_day: Array
    left_day: Array
    """Day index the employee left, or -1."""
    successor: Array
    """Employee who takes over the accounts of one who leaves, or -1."""
    effect: Array
    """Log-odds change of an account's monthly churn hazard when this employee serves it."""
    specialist: Array
    decoy: Array
    templated_giver: Array
    genuine_giver: Array
    decline_month: Array
    """Month from which the employee's engagement declines, or -1."""
    department_names: tuple[str, ...]

    @property
    def size(self) -> int:
        """Number of employees."""
        return len(self.names)

    def pool(self, department: str, region: int) -> Array:
        """Employees of a department serving a region (all of it for central departments)."""
        d = self.department_names.index(department)
        members = (self.dept == d) & ((self.region == region) | (self.region < 0))
        return np.flatnonzero(members)


def build_staff(
    kind: Kind,
    *,
    accounts: int,
    n_regions: int,
    n_days: int,
    n_months: int,
    rng: np.random.Generator,
) -> Staff:
    """Create the employees: sized to the business, with specialists, decoys and leavers.

    Parameters
    ----------
    kind : {"b2b", "b2c"}
        The kind of business.
    accounts, n_regions : int
        Size of the customer base and number of regions (stores for b2c) it spreads over.
    n_days, n_months : int
        Length of the simulated window.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    Staff
        The employees with their planted roles.
    """
    specs = DEPARTMENTS[kind]
    names: list[str] = []
    firsts: list[str] = []
    depts: list[str] = []
    roles: list[str] = []
    dept_idx: list[int] = []
    regions: list[int] = []
    used: set[str] = set()
    for d, spec in enumerate(specs):
        if spec.regional:
            per_region = max(2, int(np.ceil(accounts / n_regions / spec.accounts_per_employee)))
            slots = [r for r in range(n_regions) for _ in range(per_region)]
        else:
            slots = [-1] * max(4, int(np.ceil(accounts / spec.accounts_per_employee)))
        for slot in slots:
            while True:
                first = str(FIRST_NAMES[rng.integers(len(FIRST_NAMES))])
                last = str(LAST_NAMES[rng.integers(len(LAST_NAMES))])
                full = f"{first} {last}"
                if full not in used or len(used) > 3000:
                    break
            used.add(full)
            names.append(full)
            firsts.append(first)
            depts.append(spec.name)
            roles.append(str(spec.roles[rng.integers(len(spec.roles))]))
            dept_idx.append(d)
            regions.append(slot)
    n = len(names)
    dept = np.asarray(dept_idx, dtype=np.int64)
    region = np.asarray(regions, dtype=np.int64)
    hired = -rng.integers(90, 15 * 365, n)
    department_names = tuple(s.name for s in specs)

    specialist = np.zeros(n, dtype=bool)
    decoy = np.zeros(n, dtype=bool)
    for name in SPECIALIST_DEPARTMENTS[kind]:
        members = np.flatnonzero(dept == department_names.index(name))
        count = max(1, round(0.1 * len(members)))
        specialist[rng.choice(members, size=count, replace=False)] = True
    for name in DECOY_DEPARTMENTS[kind]:
        members = np.flatnonzero((dept == department_names.index(name)) & ~specialist)
        count = max(1, round(0.06 * len(members)))
        decoy[rng.choice(members, size=count, replace=False)] = True
    effect = np.where(specialist, -rng.uniform(0.9, 1.3, n), 0.0)

    ordinary = ~specialist & ~decoy
    owner_dept = np.isin(dept, [department_names.index(x) for x in OWNER_DEPARTMENTS[kind]])
    left = np.full(n, -1, dtype=np.int64)
    successor = np.full(n, -1, dtype=np.int64)
    for d in np.unique(dept[owner_dept]):
        for r in np.unique(region[dept == d]):
            members = np.flatnonzero((dept == d) & (region == r) & ordinary)
            if len(members) < 2 or np.count_nonzero((dept == d) & (region == r)) < 3:
                continue
            leaver = int(members[rng.integers(len(members))])
            left[leaver] = int(rng.integers(int(0.25 * n_days), int(0.7 * n_days)))
            others = np.flatnonzero((dept == d) & (region == r) & (left < 0))
            successor[leaver] = int(others[rng.integers(len(others))])

    steady = ordinary & (left < 0)
    frontline = np.flatnonzero(steady & owner_dept)
    other_front = np.flatnonzero(steady & ~owner_dept)
    n_templated = max(2, round(0.08 * len(frontline) + 0.02 * len(other_front)))
    pool = np.concatenate([frontline, other_front[: max(0, n_templated - len(frontline))]])
    templated = np.zeros(n, dtype=bool)
    templated[rng.choice(pool, size=min(n_templated, len(pool)), replace=False)] = True
    genuine = np.zeros(n, dtype=bool)
    candidates = np.flatnonzero(owner_dept & ~templated & ~decoy & (left < 0))
    n_genuine = max(3, round(0.15 * len(candidates)))
    genuine[rng.choice(candidates, size=min(n_genuine, len(candidates)), replace=False)] = True

    decline = np.full(n, -1, dtype=np.int64)
    declinable = np.flatnonzero(steady & ~templated & ~genuine)
    n_decline = max(1, round(0.08 * len(declinable)))
    chosen = rng.choice(declinable, size=min(n_decline, len(declinable)), replace=False)
    decline[chosen] = rng.integers(max(1, n_months // 5), max(2, n_months // 2), len(chosen))

    return Staff(
        names=tuple(names),
        first_names=tuple(firsts),
        departments=tuple(depts),
        roles=tuple(roles),
        dept=dept,
        region=region,
        hired_day=hired,
        left_day=left,
        successor=successor,
        effect=effect,
        specialist=specialist,
        decoy=decoy,
        templated_giver=templated,
        genuine_giver=genuine,
        decline_month=decline,
        department_names=department_names,
    )
