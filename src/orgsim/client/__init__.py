"""A client's own organization: org chart, collaboration network and survey scores, read privately.

See :mod:`orgsim.client.load` (how files become arrays, and pseudonymization), :mod:`orgsim.client.files`
(reading and error lines), :mod:`orgsim.client.hierarchy` (the management chain) and
:mod:`orgsim.client.export` (a generated organization written in the same formats).
"""

from orgsim.client.files import ClientFileError
from orgsim.client.load import ClientOrg, chart_shape, load_client
from orgsim.client.provenance import min_group_size, provenance, unit_names

__all__ = ["ClientFileError", "ClientOrg", "chart_shape", "load_client", "min_group_size", "provenance",
           "unit_names"]
