import logging


def report(run):
    try:
        return run()
    except Exception:
        logging.exception("report failed")
        # ok: vb-py-error-details-in-response
        return {"error": "internal server error"}, 500


def parse_settings(text, loads):
    try:
        return loads(text)
    except ValueError as exc:
        # ok: vb-py-error-details-in-response
        return {"error": f"invalid settings: {exc}"}, 400


def import_rows(request, parse):
    import traceback
    try:
        return parse(request.body)
    except Exception:
        logging.error("import failed: %s", traceback.format_exc())
        # ok: vb-py-traceback-in-response
        return {"error": "import failed"}, 500
