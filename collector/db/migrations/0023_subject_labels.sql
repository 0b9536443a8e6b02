-- The display names and owners of a change's subjects, looked up by primary key whatever
-- the statistics say (as rule_subject_states in 0022): a generic plan made while `persons`
-- held a few hundred rows scanned it whole for every facts read once it held thousands
-- (alerts/facts.ts).
CREATE FUNCTION subject_labels(p_site text, p_kind text, p_ids text[])
  RETURNS TABLE (id text, name text, owner text)
  LANGUAGE plpgsql STABLE
  SET enable_seqscan = off
AS $$
BEGIN
  IF p_kind = 'person' THEN
    RETURN QUERY
      SELECT p.id, coalesce(p.traits->>'name', p.email, p.user_id), p.owner
        FROM persons p WHERE p.site_id = p_site AND p.id = ANY (p_ids);
  ELSE
    RETURN QUERY
      SELECT a.id, coalesce(a.name, a.domain, a.group_id), a.owner
        FROM accounts a WHERE a.site_id = p_site AND a.id = ANY (p_ids);
  END IF;
END
$$;
