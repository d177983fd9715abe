-- The todo list's order (open before done, dated before undated, soonest first, newest
-- first among equals) as an index, so a page is read in order and the scan stops after
-- it instead of sorting every todo for each request.
CREATE INDEX todos_list_order ON todos ((status = 'completed'), (due_at IS NULL), due_at, seq DESC);
