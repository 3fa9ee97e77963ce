"""``openalert import opsgenie``: read an Opsgenie account over its REST API and write it into
OpenAlert over the management API (docs/migrate-from-opsgenie.md)."""
