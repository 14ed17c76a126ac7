-- The bureau sees exactly what a unit submitted: a returned revision stays editable by its unit, so the fields as they
-- were at submission are kept apart from the fields being edited, and the bureau reads only the former.
alter table records add column submitted_fields jsonb;
update records set submitted_fields = fields where submitted_at is not null;
alter table records add constraint records_submitted_fields_check check ((submitted_at is null) = (submitted_fields is null));
