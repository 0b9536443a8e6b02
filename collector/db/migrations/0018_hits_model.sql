-- Which scoring model derived a person's stored signals: the periodic rescore scores from them only under that model.
ALTER TABLE "person_scores" ADD COLUMN "model" text;