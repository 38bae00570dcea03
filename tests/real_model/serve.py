"""Serve a GGUF model with llama.cpp's own HTTP server on 127.0.0.1, in-process via xllamacpp.

usage: python serve.py MODEL.gguf PORT ALIAS [TEMPLATE.jinja]

The tests start this with the venv that `.ci/run` installs (xllamacpp, pinned). It serves chat,
streaming, tools (llama.cpp's --jinja parser), /responses, /messages and /embeddings on one port
until SIGTERM or SIGINT, or until its parent goes away (a test that panics never leaves it running).
Without a template the model's own chat template is used.
"""
import os
import signal
import sys
import time

import xllamacpp as xlc

model, port, alias = sys.argv[1], int(sys.argv[2]), sys.argv[3]
p = xlc.CommonParams()
p.model.path = model
p.model_alias = {alias}
p.hostnames = ["127.0.0.1"]
p.port = port
p.n_ctx = 4096  # two slots of 2048 tokens each
p.n_parallel = 2  # two requests decode together; more wait in the server's own queue
p.use_jinja = True  # Jinja chat templates and the tool-call parser derived from them (--jinja)
# One thread: ggml's worker threads spin, and two of them on a busy 2-core machine slow
# decoding to a few tokens a second.
p.cpuparams.n_threads = 1
p.cpuparams_batch.n_threads = 1
p.sampling.temp = 0.0  # greedy: the same answer to the same request, run after run
p.sampling.seed = 42
p.embedding = True  # /v1/embeddings as well; chat keeps working in this build
p.pooling_type = xlc.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
if len(sys.argv) > 4:
    with open(sys.argv[4]) as f:
        p.chat_template = f.read()

started = time.time()
server = xlc.Server(p)  # the HTTP server runs on its own thread
print(f"listening {server.listening_address} ready in {time.time() - started:.2f}s", flush=True)

stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
signal.signal(signal.SIGINT, lambda *_: stop.append(1))
parent = os.getppid()
while not stop and os.getppid() == parent:
    time.sleep(0.5)
