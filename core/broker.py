"""What a refused or unreachable Celery broker raises when a task is sent."""

from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

BROKER_ERRORS = (OperationalError, RedisError, OSError)
