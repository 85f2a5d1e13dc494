"""`/health`: whether this server answers and reaches its database, for a load balancer or a monitor.

No sign-in, nothing about the site beyond that; one `SELECT 1`. 200 when the database answers, 503 when it
does not, always JSON and never cached.
"""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "reachable"})
