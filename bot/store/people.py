"""People and their credits."""

from __future__ import annotations

from bot.normalize import name_key
from bot.store.database import Store
from bot.store.models import FILM_COLUMNS, Credit, Film, Person
from bot.store.steps import Steps

PERSON_COLUMNS = "people.id, people.name, people.imdb_id, people.birth_year"


# Steps (shared by importers and admin commands) -------------------------------------------------
def person_id(name: str) -> Steps[int | None]:
    """The person a name means (the best known with that name key), created when there is none."""
    key = name_key(name)
    if not key:
        return None
    rows = yield (
        "SELECT id FROM people WHERE name_key = ? "
        "ORDER BY popularity DESC, imdb_id IS NULL, id LIMIT 1",
        (key,),
    )
    if rows:
        return int(rows[0][0])
    rows = yield (
        "INSERT INTO people (name, name_key) VALUES (?, ?) RETURNING id",
        (" ".join(name.split()), key),
    )
    return int(rows[0][0])


def credit(
    film_id: int, person: int, role: str, character: str | None = None, billing: int | None = None
) -> Steps[bool]:
    """Add a credit or fill in what it lacked; True when anything changed."""
    rows = yield (
        """
        INSERT INTO credits (film_id, person_id, role, character, billing) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (film_id, role, person_id) DO UPDATE SET
            character = coalesce(excluded.character, character),
            billing = coalesce(excluded.billing, billing)
        WHERE coalesce(excluded.character, character) IS NOT character
           OR coalesce(excluded.billing, billing) IS NOT billing
        RETURNING 1
        """,
        (film_id, person, role, character, billing),
    )
    return bool(rows)


# Reads --------------------------------------------------------------------------------------------
async def get_person(store: Store, person_id: int) -> Person | None:
    row = await store.fetchone(f"SELECT {PERSON_COLUMNS} FROM people WHERE id = ?", (person_id,))
    return None if row is None else Person.from_row(row)


async def people_named(store: Store, name: str, limit: int = 10) -> list[Person]:
    """Everyone whose name has the same key (``Robert DeNiro`` = ``Robert De Niro``), best known
    first."""
    rows = await store.fetchall(
        f"SELECT {PERSON_COLUMNS} FROM people WHERE name_key = ? "
        "ORDER BY popularity DESC, imdb_id IS NULL, id LIMIT ?",
        (name_key(name), limit),
    )
    return [Person.from_row(r) for r in rows]


async def person_credits(store: Store, person_id: int) -> list[tuple[Film, Credit]]:
    """The person's films with their credit on each, newest first (undated films last)."""
    rows = await store.fetchall(
        f"""
        SELECT {FILM_COLUMNS}, credits.film_id, credits.person_id, people.name, credits.role,
               credits.character, credits.billing
        FROM credits JOIN films ON films.id = credits.film_id
        JOIN people ON people.id = credits.person_id
        WHERE credits.person_id = ?
        ORDER BY films.year IS NULL, films.year DESC, films.title, credits.role
        """,
        (person_id,),
    )
    return [(Film.from_row(r), Credit.from_row(r)) for r in rows]
