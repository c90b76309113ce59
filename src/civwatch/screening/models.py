"""Changes to the screened lists, recorded in the database so that every process sees them.

Each process keeps its screening index in memory and rebuilds it when the lists change. Counts
and latest ids cannot see a rename or a changed identifier; this table can: every transaction
that saves or deletes a list's record adds one row (civwatch.screening.signals). Rows are only
added, inside the writing transaction, so a reader sees the new count exactly when it sees the
new data, and concurrent writers never wait for each other (an INSERT locks no shared row).
"""

from django.db import models


class ListsChange(models.Model):
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "lists change"

    def __str__(self) -> str:
        return f"lists change {self.pk}"
