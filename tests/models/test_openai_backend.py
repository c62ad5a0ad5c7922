"""The openai backend (and the litellm one) against a scripted local HTTP server for errors
and retries, and against a real llama.cpp server running the embedded model (slow)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from vulnbench.datasets import load_dataset
from vulnbench.errors import ModelError
from vulnbench.models import BackendOptions, ModelBackend, create_model
from vulnbench.records import Completion, GenerationConfig, Prompt

KEY_ENV = "VB_TEST_OPENAI_KEY"
KEY = "sk-vbtest-S3CR3T-never-log-me-4711"
HAVE_LITELLM = importlib.util.find_spec("litellm") is not None
needs_litellm = pytest.mark.skipif(not HAVE_LITELLM, reason="litellm not installed")

Plan = Callable[[int, str], tuple[int, dict[str, Any]]]


def completion_json(text: str = "    return 1\n") -> dict[str, Any]:
    return {"id": "cmpl-1", "object": "text_completion", "created": 1, "model": "m",
            "choices": [{"text": text, "index": 0, "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}}


def chat_json(text: str = "hello") -> dict[str, Any]:
    return {"id": "chat-1", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}}


def ok(n: int, path: str) -> tuple[int, dict[str, Any]]:
    return 200, chat_json() if path.endswith("/chat/completions") else completion_json()


def error(status: int, message: str = "nope") -> dict[str, Any]:
    return {"error": {"message": message, "type": "test_error", "code": status}}


class FakeServer:
    """An OpenAI-shaped HTTP server on 127.0.0.1 answering POSTs by a plan (request number,
    path) -> (status, JSON body); it records every request. HTTP/1.1 keep-alive, like real
    servers, so client connection pools are exercised."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with server._lock:
                    n = len(server.requests)
                    server.requests.append({"path": self.path, "headers": headers,
                                            "json": json.loads(body or b"{}")})
                status, payload = server.plan(n, self.path)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake_server() -> Iterator[Callable[[Plan], FakeServer]]:
    servers: list[FakeServer] = []

    def start(plan: Plan) -> FakeServer:
        servers.append(FakeServer(plan))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)


def backend(url: str, spec: str = "openai:test-model", **kw: Any) -> ModelBackend:
    extra = {"retry_base_delay": "0.001", **kw.pop("extra", {})}
    options = BackendOptions(base_url=url, api_key_env=KEY_ENV, timeout=10.0, extra=extra, **kw)
    return create_model(spec, options)


def run(b: ModelBackend, prompt: Prompt, config: GenerationConfig | None = None,
        index: int = 0) -> Completion:
    async def go() -> Completion:
        try:
            return await b.complete(prompt, config or GenerationConfig(max_tokens=16), index)
        finally:
            await b.aclose()

    return asyncio.run(go())


CODE = Prompt(task_id="t", style="code", kind="completion", text="def add(a, b):\n")
CHAT = Prompt(task_id="t", style="text", kind="chat", text="Write add(a, b).",
              system="You are a Python developer.")


def assert_key_never_shown(caplog: pytest.LogCaptureFixture, *texts: str) -> None:
    assert caplog.records, "expected the retries/requests to log something"
    for record in caplog.records:
        assert KEY not in record.getMessage()
    assert KEY not in caplog.text
    for text in texts:
        assert KEY not in text


# --- errors and retries against the scripted server --------------------------------------


def test_rate_limited_twice_then_success(
    fake_server: Callable[[Plan], FakeServer], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    srv = fake_server(lambda n, path: (429, error(429, "slow down")) if n < 2 else ok(n, path))
    out = run(backend(srv.url), CODE)
    assert out.text == "    return 1\n"
    assert out.rendering == "completion"
    assert (out.prompt_tokens, out.completion_tokens) == (3, 4)
    assert len(srv.requests) == 3
    assert all(r["path"] == "/v1/completions" for r in srv.requests)
    assert srv.requests[0]["headers"]["authorization"] == f"Bearer {KEY}"  # the key is sent
    retries = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
    assert len(retries) == 2 and "RateLimitError" in retries[0]
    assert_key_never_shown(caplog)


def test_server_error_forever_gives_up_after_max_retries(
    fake_server: Callable[[Plan], FakeServer], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    srv = fake_server(lambda n, path: (500, error(500, "boom")))
    with pytest.raises(ModelError) as info:
        run(backend(srv.url, max_retries=3), CODE)
    assert len(srv.requests) == 4
    assert "HTTP 500" in str(info.value)
    assert srv.url in str(info.value)
    assert_key_never_shown(caplog, str(info.value))


def test_bad_request_is_not_retried(
    fake_server: Callable[[Plan], FakeServer], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # a server that echoes the key back must not get it into the error message
    srv = fake_server(lambda n, path: (400, error(400, f"bad request from key {KEY}")))
    with pytest.raises(ModelError) as info:
        run(backend(srv.url, max_retries=5), CODE)
    assert len(srv.requests) == 1
    assert "HTTP 400" in str(info.value)
    assert "bad request from key ***" in str(info.value)
    assert_key_never_shown(caplog, str(info.value))


def test_unreachable_server_names_the_url(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    with pytest.raises(ModelError) as info:
        run(backend(url, max_retries=1), CODE)
    assert f"cannot reach {url}" in str(info.value)
    assert_key_never_shown(caplog, str(info.value))


def test_request_parameters(fake_server: Callable[[Plan], FakeServer]) -> None:
    srv = fake_server(ok)
    config = GenerationConfig(temperature=0.7, top_p=0.9, max_tokens=33, seed=10,
                              stop=["\ndef ", "\nclass "])
    run(backend(srv.url), CODE, config, index=3)
    body = srv.requests[0]["json"]
    assert body["model"] == "test-model"
    assert body["prompt"] == CODE.text
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.7, 0.9, 33)
    assert body["seed"] == 13  # config.seed + sample_index
    assert body["stop"] == ["\ndef ", "\nclass "]


def test_chat_prompt_goes_to_the_chat_endpoint(fake_server: Callable[[Plan], FakeServer]) -> None:
    srv = fake_server(ok)
    out = run(backend(srv.url), CHAT)
    assert (out.text, out.rendering) == ("hello", "chat")
    req = srv.requests[0]
    assert req["path"] == "/v1/chat/completions"
    assert [m["role"] for m in req["json"]["messages"]] == ["system", "user"]


def test_chat_as_completion_keeps_the_fence_stop(
    fake_server: Callable[[Plan], FakeServer]
) -> None:
    srv = fake_server(ok)
    b = backend(srv.url, extra={"chat": "false"})
    assert b.spec().text_rendering == "chat-as-completion"
    config = GenerationConfig(stop=["s1", "s2", "s3", "s4", "s5"])
    out = run(b, CHAT, config)
    assert out.rendering == "chat-as-completion"
    body = srv.requests[0]["json"]
    assert srv.requests[0]["path"] == "/v1/completions"
    assert "### Instruction\nWrite add(a, b)." in body["prompt"]
    assert body["prompt"].endswith("```python\n")
    assert body["stop"] == ["```", "s1", "s2", "s3"]  # at most 4, the fence first


def test_backend_survives_successive_event_loops(
    fake_server: Callable[[Plan], FakeServer]
) -> None:
    srv = fake_server(ok)
    b = backend(srv.url, concurrency=2)

    async def batch() -> list[str]:
        outs = await asyncio.gather(*(b.complete(CODE, GenerationConfig(), i) for i in range(4)))
        return [o.text for o in outs]

    assert asyncio.run(batch()) == ["    return 1\n"] * 4
    assert asyncio.run(batch()) == ["    return 1\n"] * 4  # a new loop, pooled connections
    assert len(srv.requests) == 8


def test_spec_holds_no_secret(fake_server: Callable[[Plan], FakeServer]) -> None:
    srv = fake_server(ok)
    spec = backend(srv.url).spec()
    assert spec.params == {"base_url": srv.url, "concurrency": "4"}
    assert KEY not in spec.model_dump_json()


@needs_litellm
def test_litellm_retries_are_ours_only(
    fake_server: Callable[[Plan], FakeServer], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="vulnbench")
    srv = fake_server(lambda n, path: (429, error(429)) if n < 2 else ok(n, path))
    out = run(backend(srv.url, "litellm:openai/test-model"), CODE)
    assert out.text == "    return 1\n"
    assert len(srv.requests) == 3  # two 429s retried by us, none by LiteLLM or the SDK
    assert srv.requests[0]["headers"]["authorization"] == f"Bearer {KEY}"
    assert_key_never_shown(caplog)


@needs_litellm
def test_litellm_bad_request_is_a_model_error(
    fake_server: Callable[[Plan], FakeServer]
) -> None:
    srv = fake_server(lambda n, path: (400, error(400, f"bad key {KEY}")))
    with pytest.raises(ModelError) as info:
        run(backend(srv.url, "litellm:openai/test-model", max_retries=4), CHAT)
    assert len(srv.requests) == 1
    assert KEY not in str(info.value)


# --- a real llama.cpp server with the embedded model (slow) ------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m llama_cpp.server`` on a free port with the embedded model; its base URL."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip(reason="llama-cpp-python not installed")
    for name in ("llama_cpp.server", "uvicorn", "fastapi"):
        if importlib.util.find_spec(name) is None:
            pytest.skip(reason="llama-cpp-python[server] not installed")
    from vulnbench.models.weights import embedded_model_path

    port = free_port()
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(embedded_model_path()),
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}/v1"
    try:
        wait_until_up(proc, base, log_path, timeout=120.0)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_until_up(proc: subprocess.Popen[bytes], base: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama server exited ({proc.returncode}):\n"
                               f"{log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/models", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)  # polling a starting server: nothing to wait on but time
    raise RuntimeError(f"llama server not up after {timeout:.0f}s:\n"
                       f"{log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="module")
def demo_prompts() -> tuple[Prompt, Prompt]:
    task = load_dataset("demo").tasks[0]
    code = Prompt(task_id=task.id, style="code", kind="completion", text=task.code_prompt)
    text = Prompt(task_id=task.id, style="text", kind="chat", text=task.text_prompt,
                  system="You are a Python developer. Answer with one ```python code block.")
    return code, text


GREEDY = GenerationConfig(temperature=0.0, max_tokens=24, seed=123)


@pytest.mark.slow
def test_real_completion(llama_server: str, demo_prompts: tuple[Prompt, Prompt]) -> None:
    out = run(backend(llama_server), demo_prompts[0], GREEDY)
    assert out.rendering == "completion"
    assert out.text.strip()
    assert out.completion_tokens and 0 < out.completion_tokens <= 24
    assert out.finish_reason in {"stop", "length"}


@pytest.mark.slow
def test_real_chat_as_completion(llama_server: str, demo_prompts: tuple[Prompt, Prompt]) -> None:
    out = run(backend(llama_server, extra={"chat": "false"}), demo_prompts[1], GREEDY)
    assert out.rendering == "chat-as-completion"
    assert out.text.strip()
    assert "```" not in out.text  # the fence that closes the answer is a stop sequence


@pytest.mark.slow
def test_real_greedy_is_deterministic(
    llama_server: str, demo_prompts: tuple[Prompt, Prompt]
) -> None:
    b = backend(llama_server)
    first = run(b, demo_prompts[0], GREEDY)
    second = run(b, demo_prompts[0], GREEDY)
    assert first.text == second.text
    assert first.text.strip()


@pytest.mark.slow
def test_real_samples_by_index(llama_server: str, demo_prompts: tuple[Prompt, Prompt]) -> None:
    b = backend(llama_server, concurrency=4)
    config = GenerationConfig(temperature=1.0, top_p=1.0, max_tokens=16, seed=7)

    async def samples() -> list[str]:
        outs = await asyncio.gather(*(b.complete(demo_prompts[0], config, i) for i in range(4)))
        return [o.text for o in outs]

    first, again = asyncio.run(samples()), asyncio.run(samples())
    assert first == again  # sample i is seeded with seed + i, whatever the order of arrival
    assert len(set(first)) >= 2  # and different indices sample differently


@pytest.mark.slow
@needs_litellm
# LiteLLM queues a logging coroutine per call on a worker that each new event loop discards
@pytest.mark.filterwarnings("ignore:coroutine 'Logging.async_success_handler':RuntimeWarning")
def test_real_litellm_matches_openai(
    llama_server: str, demo_prompts: tuple[Prompt, Prompt]
) -> None:
    via_litellm = run(backend(llama_server, "litellm:openai/anything"), demo_prompts[0], GREEDY)
    via_openai = run(backend(llama_server), demo_prompts[0], GREEDY)
    assert via_litellm.rendering == "completion"
    assert via_litellm.text.strip()
    assert via_litellm.text == via_openai.text
    chat = run(backend(llama_server, "litellm:openai/anything", extra={"chat": "false"}),
               demo_prompts[1], GREEDY)
    assert chat.rendering == "chat-as-completion"
    assert chat.text.strip()
