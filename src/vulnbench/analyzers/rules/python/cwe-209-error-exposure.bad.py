import traceback


def handler(exc):
    # ruleid: vb-py-error-details-in-response, vb-py-traceback-in-response
    return {"error": "failed", "trace": traceback.format_exc()}, 500


def report(run):
    try:
        return run()
    except Exception as exc:
        # ruleid: vb-py-error-details-in-response
        return {"error": str(exc)}, 500


def import_rows(request, parse):
    from django.http import HttpResponse

    try:
        return parse(request.body)
    except Exception:
        trace = traceback.format_exc()
        # ruleid: vb-py-traceback-in-response
        return HttpResponse("import failed:\n" + trace, status=500)
