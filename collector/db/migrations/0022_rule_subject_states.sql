-- What a rule recorded of each (rule, subject) pair asked for, looked up by primary key
-- whatever the statistics say: planned with sequential scans off, so a plan made while
-- rule_subjects was small (a generic plan kept for a connection's life) never scans the
-- whole table once per pair after it grew (alerts/facts.ts).
CREATE FUNCTION rule_subject_states(p_site text, p_rules text[], p_subjects text[])
  RETURNS TABLE (rule_id text, subject_id text, fired_count integer, recent_firings jsonb, stopped boolean)
  LANGUAGE plpgsql STABLE
  SET enable_seqscan = off
AS $$
BEGIN
  RETURN QUERY
    SELECT s.rule_id, s.subject_id, s.fired_count, s.recent_firings, s.stopped_at IS NOT NULL
      FROM unnest(p_rules, p_subjects) AS p(rule_id, subject_id)
      CROSS JOIN LATERAL (
        SELECT * FROM rule_subjects r
         WHERE r.site_id = p_site AND r.rule_id = p.rule_id AND r.subject_id = p.subject_id
         LIMIT 1) AS s;
END
$$;
