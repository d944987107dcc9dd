-- The agency whose personnel office serves this one (機關代碼), when another.
ALTER TABLE agencies ADD COLUMN personnel_authority TEXT;
