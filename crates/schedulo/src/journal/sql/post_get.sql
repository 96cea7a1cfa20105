-- One post by record id.
SELECT * FROM posts WHERE record_id = $1
