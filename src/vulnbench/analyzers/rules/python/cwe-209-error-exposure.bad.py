import traceback


def handler(exc):
    # ruleid: vb-py-error-details-in-response
    return {"error": "failed", "trace": traceback.format_exc()}, 500


def report(run):
    try:
        return run()
    except Exception as exc:
        # ruleid: vb-py-error-details-in-response
        return {"error": str(exc)}, 500
