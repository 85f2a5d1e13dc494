"""The project's own apps, found from the settings: URLs, API routers and the permission table's rows
are collected from them, so adding an app touches the settings and its own folder only."""

from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import AppConfig, apps
from django.contrib.admin.apps import AdminConfig


class ImprovenetAdminConfig(AdminConfig):
    default_site = "improvenet.admin_site.NetworkAdminSite"


def domain_apps() -> list[AppConfig]:
    """improvenet's apps, in the order of INSTALLED_APPS."""
    return [config for config in apps.get_app_configs() if config.name.startswith("improvenet.")]


def app_modules(name: str) -> list[tuple[AppConfig, ModuleType]]:
    """Each app's module of that name (`urls`, `api`...), for the apps that have one."""
    return [(config, import_module(f"{config.name}.{name}")) for config in domain_apps()
            if find_spec(f"{config.name}.{name}") is not None]
