-- 0007: who changed the shared catalog, and when. The catalog is shared by every server, so an
-- admin's addfilm, editfilm or addcast is recorded here with the server and member behind it.

CREATE TABLE catalog_audit (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,              -- unix seconds
    guild_id     INTEGER NOT NULL,
    member_id    INTEGER NOT NULL,
    member_name  TEXT    NOT NULL,              -- as Discord showed it then
    action       TEXT    NOT NULL CHECK (action IN ('addfilm', 'editfilm', 'addcast')),
    film_id      INTEGER REFERENCES films (id) ON DELETE SET NULL,
    film         TEXT    NOT NULL,              -- the film's Title (Year) after the change
    changes      TEXT    NOT NULL               -- JSON list of {"field", "old", "new"}
);
CREATE INDEX catalog_audit_at ON catalog_audit (at DESC, id DESC);
CREATE INDEX catalog_audit_guild ON catalog_audit (guild_id, at DESC);
CREATE INDEX catalog_audit_film ON catalog_audit (film_id);
