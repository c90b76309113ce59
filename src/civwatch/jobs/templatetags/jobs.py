"""`{% my_recent_jobs %}`: the reader's latest jobs, on the staff home."""

from typing import Any

from django import template

from civwatch.jobs.models import Job

register = template.Library()


@register.inclusion_tag("jobs/recent.html", takes_context=True)
def my_recent_jobs(context: dict[str, Any], count: int = 5) -> dict[str, Any]:
    user = context["request"].user
    return {"jobs": list(Job.objects.filter(created_by=user)[:count])}
