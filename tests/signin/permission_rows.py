from tests.permission_table import PUBLIC, SIGNED_IN, Action

EVERYONE_REDIRECTED = (302,) * 7
# Single sign-on is not configured in the permission table's site: its pages do not exist there.
NOT_CONFIGURED = (404,) * 7


def demo_ids() -> dict:
    return {}


def rows(ids) -> dict[str, Action]:
    return {
        "login page": Action("GET", "/accounts/login/", PUBLIC),
        "logout": Action("POST", "/accounts/logout/", EVERYONE_REDIRECTED),
        "password form": Action("GET", "/accounts/password/", SIGNED_IN),
        "password done": Action("GET", "/accounts/password/done/", SIGNED_IN),
        "password reset form": Action("GET", "/accounts/password/reset/", PUBLIC),
        "send password reset": Action("POST", "/accounts/password/reset/", EVERYONE_REDIRECTED,
                                      {"email": "nobody@example.org"}),
        "password reset sent": Action("GET", "/accounts/password/reset/sent/", PUBLIC),
        "password reset link (used or wrong)": Action("GET", "/accounts/password/reset/MQ/not-a-token/", PUBLIC),
        "password reset complete": Action("GET", "/accounts/password/reset/complete/", PUBLIC),
        "sign out everywhere page": Action("GET", "/accounts/sign-out-everywhere/", SIGNED_IN),
        "sign out everywhere": Action("POST", "/accounts/sign-out-everywhere/", EVERYONE_REDIRECTED),
        "single sign-on start": Action("GET", "/accounts/sso/start/", NOT_CONFIGURED),
        "single sign-on callback": Action("GET", "/accounts/sso/callback/", NOT_CONFIGURED),
    }
