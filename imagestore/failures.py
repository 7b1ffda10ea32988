"""Plain words for what goes wrong between the app and its storage."""

import re

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
)
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
)
from cshelve import AuthArgumentError, CanNotCreateDBError, ConfigurationError


class StorageUnavailable(Exception):
    """Storage did not do what was asked in time; nothing that was asked for is done."""


BACKEND_ERRORS = (
    StorageUnavailable,
    AzureError,
    BotoCoreError,
    ClientError,
    OSError,
    AuthArgumentError,
    CanNotCreateDBError,
    ConfigurationError,
)
_REFUSED_CREDENTIALS = {
    "AccessDenied",
    "InvalidAccessKeyId",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "AuthorizationFailure",
    "AuthenticationFailed",
}


def describe(error):
    """Return one line saying what ``error`` from a storage call means."""
    cause = _root_cause(error)
    if isinstance(cause, StorageUnavailable):
        return str(cause)
    if isinstance(cause, (ConfigurationError, AuthArgumentError)):
        return _missing_variable(str(cause))
    if isinstance(cause, NoCredentialsError):
        return "no AWS credentials were found in the environment"
    if isinstance(cause, EndpointConnectionError):
        return f"cannot reach the S3 endpoint: {_first_line(cause)}"
    if isinstance(cause, ClientError):
        return _s3_refusal(cause)
    if isinstance(cause, ClientAuthenticationError) or _azure_code(cause) in _REFUSED_CREDENTIALS:
        return "Azure Blob Storage refused the credentials in the connection string"
    if isinstance(cause, ServiceRequestError):
        return f"cannot reach the Azure Blob Storage endpoint: {_first_line(cause)}"
    if isinstance(cause, HttpResponseError):
        return f"Azure Blob Storage answered {cause.status_code}: {_first_line(cause)}"
    if isinstance(cause, ValueError) and "connection string" in str(cause).lower():
        return f"the Azure connection string is malformed: {_first_line(cause)}"
    if isinstance(cause, OSError) and cause.strerror:
        return f"{type(cause).__name__}: {cause.strerror}"
    return f"{type(cause).__name__}: {_first_line(cause)}"


def summarize(error):
    """``describe`` without the details after its colon (endpoints, paths), for answers to clients."""
    return describe(error).split(":", 1)[0]


def _root_cause(error):
    """CShelve wraps SDK errors ("Can't create database."): find the SDK's own."""
    while error.__cause__ is not None:
        error = error.__cause__
    return error


def _missing_variable(message):
    """CShelve says "Environment variable X not found." or "Missing environment variable: X"."""
    named = re.search(r"variable:?\s+([A-Za-z_][A-Za-z0-9_]*)", message)
    if named:
        return f"the environment variable {named.group(1)} is not set, and the .ini needs it"
    return message


def _s3_refusal(error):
    code = error.response.get("Error", {}).get("Code", "")
    if code in _REFUSED_CREDENTIALS or code == "403":
        return f"S3 refused the credentials ({code})"
    return f"S3 answered {code or 'an error'}: {_first_line(error)}"


def _azure_code(error):
    return getattr(error, "error_code", None)


def _first_line(error):
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
