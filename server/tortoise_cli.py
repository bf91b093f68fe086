"""The configuration `tortoise makemigrations` reads ([tool.tortoise] in pyproject.toml).

Kept apart from server.database so that importing the app has no side effects.
"""

from server.database import tortoise_config
from server.settings import Settings

TORTOISE_ORM = tortoise_config(Settings.from_env().database_url)
