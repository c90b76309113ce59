from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
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


@login_required
def job_result(request, pk):
    job = get_object_or_404(Job, pk=pk, created_by=request.user, status=Job.Status.DONE)
    if not job.result_file:
        raise Http404("this job has no result file")
    path = Path(job.result_file)
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{job.kind}-{path.name}")
