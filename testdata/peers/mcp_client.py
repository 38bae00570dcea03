"""Drive `zencheck mcp` with the official MCP Python SDK, as an agent's client would.

Reads a plan (JSON) on stdin: how to start the server (command, args, env, cwd) and the
calls to make in one session. Writes what came back (JSON) on stdout, for the Rust test
to judge: the tool list, then per call either the result or the MCP error. A call that
raises anything else is recorded too, so the session goes on and the test sees it.
"""

import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError


def content_texts(result):
    return [c.text for c in result.content if getattr(c, "type", None) == "text"]


async def call(session, step):
    args = step.get("arguments")
    if "big_text" in step:
        # A huge argument, made here so the plan stays small.
        args = {"text": "x" * step["big_text"]}
    try:
        r = await asyncio.wait_for(session.call_tool(step["tool"], args), step.get("timeout", 120))
    except MCPError as e:
        return {"error": {"code": e.code, "message": e.message}}
    except Exception as e:  # noqa: BLE001 - reported to the test, which fails on it
        return {"exception": f"{type(e).__name__}: {e}"}
    return {
        "is_error": bool(r.is_error),
        "texts": content_texts(r),
        "structured": r.structured_content,
    }


async def main():
    plan = json.load(sys.stdin)
    params = StdioServerParameters(
        command=plan["command"],
        args=plan.get("args", []),
        env=plan.get("env", {}),
        cwd=plan.get("cwd"),
    )
    out = {"results": []}
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            out["server"] = {"name": init.server_info.name, "version": init.server_info.version}
            tools = await session.list_tools()
            out["tools"] = [
                {
                    "name": t.name,
                    "description": t.description,
                    "input_schema": t.input_schema,
                    "output_schema": t.output_schema,
                    "annotations": t.annotations.model_dump(by_alias=True, exclude_none=True)
                    if t.annotations
                    else None,
                }
                for t in tools.tools
            ]
            for step in plan["calls"]:
                out["results"].append(await call(session, step))
    json.dump(out, sys.stdout)


asyncio.run(main())
