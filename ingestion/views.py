"""The analyst's imports page: upload a file, watch its import, download each run's rejected rows."""

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, View

from accounts.audit import audit_event
from accounts.permissions import RoleRequiredMixin
from crimedash.spreadsheet import FormulaSafeWriter
from ingestion.forms import UploadForm
from ingestion.models import ImportRun, ImportUpload
from ingestion.selectors import run_unmapped
from ingestion.uploads import upload_create, upload_rows_done

PERMISSION = "ingestion.import_data"


class ImportsView(RoleRequiredMixin, FormView):
    required_permission = PERMISSION
    template_name = "ingestion/imports.html"
    form_class = UploadForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["runs"] = runs = list(ImportRun.objects.all()[:25])
        for run in runs:
            run.unmapped = run_unmapped(runs=[run])
        context["uploads"] = ImportUpload.objects.filter(created_by=self.request.user)[:10]
        return context

    def form_valid(self, form):
        upload = upload_create(
            uploaded_file=form.cleaned_data["file"],
            importer=form.cleaned_data["importer"],
            user=self.request.user,
            request=self.request,
        )
        messages.info(self.request, f"{upload.file_name} is being imported.")
        return redirect(f"{reverse('ingestion:imports')}?upload={upload.pk}")


class UploadStatusView(RoleRequiredMixin, View):
    """JSON the page polls: the upload's state, rows done so far and its runs' counts."""

    required_permission = PERMISSION

    def get(self, request, pk: int):
        upload = get_object_or_404(ImportUpload, pk=pk)
        runs = ImportRun.objects.filter(pk__in=upload.run_ids)
        return JsonResponse(
            {
                "id": upload.pk,
                "file": upload.file_name,
                "status": upload.status,
                "rows_done": upload_rows_done(upload),
                "error": upload.error,
                "runs": [_run_counts(run) for run in runs],
            }
        )


def _run_counts(run: ImportRun) -> dict:
    return {"id": run.pk, "status": run.status, "read": run.rows_read, "inserted": run.rows_inserted,
            "updated": run.rows_updated, "duplicates": run.rows_duplicate, "rejected": run.rows_rejected,
            "other": run.stats.get("category_other", 0), "unmapped": run_unmapped(runs=[run])}  # fmt: skip


class RejectedRowsCsvView(RoleRequiredMixin, View):
    """One run's rejected rows as CSV (line, reason, raw text); the download is audited as an export."""

    required_permission = PERMISSION

    def get(self, request, pk: int):
        run = get_object_or_404(ImportRun, pk=pk)
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="import-run-{run.pk}-rejected.csv"'
        writer = FormulaSafeWriter(response)
        writer.writerow(["line_number", "reason", "raw_text"])
        writer.writerows(run.rejected_rows.values_list("line_number", "reason", "raw_text").iterator())
        audit_event(action="export", request=request, target=f"import run {run.pk} rejected rows")
        return response
