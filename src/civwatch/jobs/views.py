from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from civwatch.jobs.models import Job


@login_required
def job_list(request):
    jobs = Job.objects.filter(created_by=request.user)[:100]
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@login_required
def job_detail(request, pk):
    job = get_object_or_404(Job, pk=pk, created_by=request.user)
    return render(request, "jobs/job_detail.html", {"job": job})
