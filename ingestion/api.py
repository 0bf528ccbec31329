"""DRF views of the ingestion app: the live dispatch feed (POST from CAD, GET for the tactical page) and the summary
of an import run."""

from datetime import timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ingestion.dispatch import dispatch_latest_received, dispatch_recent, dispatch_update_record
from ingestion.models import ImportRun
from ingestion.serializers import DispatchRecentSerializer, DispatchUpdateSerializer, ImportRunSerializer


class DispatchView(APIView):
    """A dispatch system posts one incident update; 201 when new, 200 when already known (idempotent)."""

    required_permission = "ingestion.post_dispatch"
    serializer_class = DispatchUpdateSerializer

    def post(self, request):
        serializer = DispatchUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        update, created = dispatch_update_record(data=serializer.validated_data, request=request)
        body = {"incident_id": update.incident_key, "status": update.status, "created": created}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class DispatchRecentView(APIView):
    """Updates received after `since` (ISO 8601; default the last hour) in the caller's areas, oldest first."""

    required_permission = "dashboards.view_tactical"
    serializer_class = DispatchRecentSerializer

    def get(self, request):
        since = _since(request.query_params.get("since"))
        now = timezone.now()
        updates = dispatch_recent(user=request.user, since=since)
        latest = dispatch_latest_received()
        return Response(
            {
                "now": now.isoformat(),
                # when the feed last delivered anything, anywhere: the page says so when the feed has gone quiet
                "latest_update_at": latest.isoformat() if latest else None,
                "updates": DispatchRecentSerializer(updates, many=True).data,
            }
        )


def _since(text: str | None):
    if not text:
        return timezone.now() - timedelta(hours=1)
    parsed = parse_datetime(text.replace(" ", "+"))
    if parsed is None or timezone.is_naive(parsed):
        raise ValidationError({"since": "Expected an ISO 8601 time with its zone offset."})
    return parsed


class ImportRunView(generics.RetrieveAPIView):
    """One import run's summary: its counts, disagreements and the descriptions that fell to "other"."""

    required_permission = "ingestion.import_data"
    serializer_class = ImportRunSerializer
    queryset = ImportRun.objects.all()
