-- An identity number belongs to one person. `id_unique` holds the blind index of the number for
-- the person who holds it, and a unique index refuses a second holder even when two requests race.
-- People who already shared a number before this migration keep their data as it is: the earliest
-- record holds the number, the later ones keep theirs in `id_bidx` only and are listed by the
-- duplicate check (`bastion check`, and a warning at start-up) until someone corrects them. Nothing
-- is merged or deleted.
ALTER TABLE people ADD COLUMN id_unique TEXT;
UPDATE people SET id_unique = id_bidx
 WHERE id_bidx IS NOT NULL
   AND id = (SELECT MIN(q.id) FROM people q WHERE q.id_bidx = people.id_bidx);
CREATE UNIQUE INDEX people_id_unique ON people(id_unique);
