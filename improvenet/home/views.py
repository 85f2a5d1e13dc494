"""Each person's home: what they have to do next in every cluster they work in."""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from improvenet.home.agenda import my_work as work_of
from improvenet.home.agenda import network_news
from improvenet.home.models import HomeVisit
from improvenet.pilots.access import company_reports

# On a first visit, the news of this many days.
FIRST_VISIT_NEWS_DAYS = 30
# The session keeps the visit before this one, so that reloading the home keeps showing the same news.
SINCE_KEY = "home_news_since"


@login_required
def my_work(request):
    if SINCE_KEY not in request.session:
        previous = HomeVisit.previous_and_record(request.user)
        if previous is None:
            previous = timezone.now() - datetime.timedelta(days=FIRST_VISIT_NEWS_DAYS)
        request.session[SINCE_KEY] = previous.isoformat()
    since = datetime.datetime.fromisoformat(request.session[SINCE_KEY])
    context = {"clusters": work_of(request.user), "company": company_reports(request.user),
               "news": network_news(request.user, since), "since": since}
    return render(request, "home/home.html", context)
