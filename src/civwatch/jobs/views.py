from collections.abc import Iterator
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render

from civwatch.core.csvfiles import CONTENT_TYPE, EXCEL_BOM
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
    filename = f"{job.kind}-{path.name}"
    if path.suffix != ".csv":
        return FileResponse(path.open("rb"), as_attachment=True, filename=filename)
    if request.GET.get("excel"):
        # The same file, after a byte-order mark so that Excel reads it as UTF-8.
        filename = f"{job.kind}-{path.stem}-excel.csv"
        response = StreamingHttpResponse(with_bom(path), content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=filename, content_type=CONTENT_TYPE
    )


def with_bom(path: Path) -> Iterator[bytes]:
    yield EXCEL_BOM.encode()
    with path.open("rb") as source:
        while chunk := source.read(64 * 1024):
            yield chunk
