import logging


def report(run):
    try:
        return run()
    except Exception:
        logging.exception("report failed")
        # ok: vb-py-error-details-in-response
        return {"error": "internal server error"}, 500
