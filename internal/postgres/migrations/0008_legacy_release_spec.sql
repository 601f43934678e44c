-- Releases made before releases carried a spec (0002) ran one web process
-- checked on "/": write that down, so the reconciler and rollbacks can run
-- them again.
UPDATE releases
SET spec = '{"formation":[{"type":"web","count":1}],"health":{"path":"/","interval":0,"timeout":0}}'
WHERE spec = '{}'::jsonb;
