from django.db import connection, models


class RequestCount(models.Model):
    """The requests of one window of time: what is counted (`scope`), against what (`subject`: a cluster's id,
    an e-mail address), from one client address (`client`) or, with an empty `client`, from all addresses
    together.

    Times are whole seconds since the epoch; a counter is deleted once its window is over.
    """

    scope = models.CharField(max_length=20, help_text="What is counted: family page reads, opt-out requests, "
                                                      "password-reset e-mails.")
    subject = models.CharField(max_length=254, help_text="What the limit protects: a cluster's id, an address.")
    client = models.CharField(max_length=64, blank=True, help_text="The client's address; empty: every address.")
    window_start = models.BigIntegerField()
    expires = models.BigIntegerField(db_index=True, help_text="When the window ends.")
    hits = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "subject", "client", "window_start"],
                                               name="one_request_count_per_window")]

    def __str__(self) -> str:
        return f"{self.hits} {self.scope} requests for {self.subject} from {self.client or 'everyone'}"

    @classmethod
    def hit(cls, scope: str, subject: str, client: str, period: int, now: float) -> tuple[int, int]:
        """Count one request in the window of `period` seconds that holds `now`.

        Returns the requests counted in that window so far and the seconds until it ends. One statement,
        so that two processes counting at once both count.
        """
        start = int(now) // period * period
        table = connection.ops.quote_name(cls._meta.db_table)
        statement = (
            f"INSERT INTO {table} (scope, subject, client, window_start, expires, hits) "
            "VALUES (%s, %s, %s, %s, %s, 1) "
            f"ON CONFLICT (scope, subject, client, window_start) DO UPDATE SET hits = {table}.hits + 1 "
            "RETURNING hits"
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, [scope, subject, client, start, start + period])
            (hits,) = cursor.fetchone()
        if hits == 1:  # a new window: the ones that are over are of no more use
            cls.objects.filter(expires__lte=now).delete()
        return hits, max(1, start + period - int(now))
