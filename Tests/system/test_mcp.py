"""The MCP endpoint (`POST /mcp`) driven by the official Python SDK (PyPI `mcp`), a client
nobody on this project wrote: it initialises a session, lists the tools and creates a task,
which the REST API then shows. No language model is configured: MCP clients bring their own.
"""

from __future__ import annotations

import asyncio
import secrets

import pytest
import requests
from conftest import Server

from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

SETTINGS = {"AUTH_RATE_LIMIT": "off", "AUTH_BCRYPT_COST": "4"}
TOOLS = {"add_task", "list_tasks", "search_tasks", "update_task", "complete_task", "delete_task"}


def signup(server: Server) -> str:
    response = requests.post(
        server.url + "/api/auth/signup",
        json={"email": f"mcp-{secrets.token_hex(4)}@example.com", "password": "correct horse battery", "name": "MCP"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()["access_token"]


async def session_run(url: str, token: str, work):
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
    async with http:
        async with streamable_http_client(url, http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                return await asyncio.wait_for(work(session), timeout=30)


def test_the_official_python_client_lists_the_tools_and_creates_a_task(start_server) -> None:
    server = start_server(**SETTINGS)
    server.wait_for("/ready", 200, timeout=20)
    token = signup(server)

    async def work(session: ClientSession):
        initialized = await session.initialize()
        tools = await session.list_tools()
        created = await session.call_tool(
            "add_task", {"title": "Water the plants", "tags": ["Home"], "due_at": "2026-11-29T09:00:00Z", "recurrence": "weekly"}
        )
        refused = await session.call_tool("complete_task", {"id": "00000000-0000-7000-8000-000000000000"})
        return initialized, tools, created, refused

    initialized, tools, created, refused = asyncio.run(session_run(server.url + "/mcp", token, work))
    assert initialized.server_info.name == "punchlist"
    assert {tool.name for tool in tools.tools} == TOOLS
    assert not created.is_error, created
    task = created.structured_content
    assert task["title"] == "Water the plants" and task["tags"] == ["home"] and task["recurrence"] == "weekly"
    assert refused.is_error
    assert "not_found" in refused.content[0].text

    listed = requests.get(server.url + "/api/tasks", headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
    assert [item["id"] for item in listed["items"]] == [task["id"]]


def test_a_client_without_a_valid_token_is_refused(start_server) -> None:
    server = start_server(**SETTINGS)
    server.wait_for("/ready", 200, timeout=20)

    async def work(session: ClientSession):
        return await session.initialize()

    # The SDK reports the refusal as its own error; what it was refused with shows over plain HTTP.
    with pytest.raises(BaseException):
        asyncio.run(session_run(server.url + "/mcp", "not-a-token", work))
    plain = requests.post(
        server.url + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"Accept": "application/json, text/event-stream"}, timeout=10,
    )
    assert plain.status_code == 401
    assert plain.headers["WWW-Authenticate"] == "Bearer"
    assert plain.headers["Content-Type"] == "application/problem+json"
