"""Document intake: read an article, find the known people and organisations it names,
suggest new ones, and let an editor confirm them and cite passages (docs/intake.md)."""
