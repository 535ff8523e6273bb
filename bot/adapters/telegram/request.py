"""python-telegram-bot's `BaseRequest` on aiohttp, for the adapter's Bot API calls.

A deviation from PTB's own `HTTPXRequest`, for cost alone: on loopback, httpx and httpcore spend
about 1.7 ms of CPU on one Bot API call and aiohttp about 0.3 ms, and the question of the day is
one call per subscriber (benchmarks/README.md, issue 15). Long polling keeps PTB's `HTTPXRequest`:
it makes one call every few seconds.

Errors are PTB's, as `HTTPXRequest` raises them: `TimedOut` when no answer came in time (its cause
says whether the request had left: `aiohttp.ConnectionTimeoutError` means it never did), and
`NetworkError` for the rest.
"""

from __future__ import annotations

import ssl
from urllib.request import getproxies, proxy_bypass

import aiohttp
import certifi
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_FORM = "application/x-www-form-urlencoded"


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of `pool_size` connections.

    aiohttp has no write timeout (its read clock starts once the body is written): a request is
    bounded as a whole by the sum of its timeouts, with `media_write_timeout` to write when it
    carries files and `write_timeout` otherwise, PTB's defaults.
    """

    def __init__(
        self,
        pool_size: int,
        *,
        read_timeout: float = 5.0,
        connect_timeout: float = 5.0,
        pool_timeout: float = 1.0,
        write_timeout: float = 5.0,
        media_write_timeout: float = 20.0,
    ) -> None:
        self.pool_size = pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._write_timeout = write_timeout
        self._media_write_timeout = media_write_timeout
        # Built once: a fan-out makes thousands of calls, all with the defaults.
        self._default = self._timeouts(read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # The CA bundle httpx (and so PTB's HTTPXRequest) verifies Telegram's certificate with.
            context = ssl.create_default_context(cafile=certifi.where())
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.pool_size, ssl=context),
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"User-Agent": self.USER_AGENT},
            )

    def _proxy(self, url: str) -> str | None:
        """HTTPS_PROXY and the like, as httpx honours them; looked up once per host, where aiohttp's
        `trust_env` reads the environment and ~/.netrc on a thread at every request."""
        scheme, _, rest = url.partition("://")
        host = rest.split("/", 1)[0]
        origin = f"{scheme}://{host}"
        if origin not in self._proxies:
            self._proxies[origin] = None if proxy_bypass(host.rsplit(":", 1)[0]) else getproxies().get(scheme)
        return self._proxies[origin]

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    @staticmethod
    def _timeouts(
        read: float | None, write: float | None, connect: float | None, pool: float | None
    ) -> aiohttp.ClientTimeout:
        # aiohttp's `connect` covers the wait for a pooled connection and opening one.
        waiting = None if connect is None or pool is None else connect + pool
        total = None if waiting is None or read is None or write is None else waiting + write + read
        return aiohttp.ClientTimeout(total=total, connect=waiting, sock_connect=connect, sock_read=read)

    def _timeout(
        self,
        files: bool,
        read: ODVInput[float],
        write: ODVInput[float],
        connect: ODVInput[float],
        pool: ODVInput[float],
    ) -> aiohttp.ClientTimeout:
        if not files and all(isinstance(value, DefaultValue) for value in (read, write, connect, pool)):
            return self._default
        return self._timeouts(
            self._read_timeout if isinstance(read, DefaultValue) else read,
            (self._media_write_timeout if files else self._write_timeout) if isinstance(write, DefaultValue) else write,
            self._connect_timeout if isinstance(connect, DefaultValue) else connect,
            self._pool_timeout if isinstance(pool, DefaultValue) else pool,
        )

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        timeout = self._timeout(files, read_timeout, write_timeout, connect_timeout, pool_timeout)
        body: aiohttp.FormData | bytes | None = None
        headers = None
        if request_data is not None and files:
            body = aiohttp.FormData(request_data.json_parameters)
            for name, (filename, content, mimetype) in request_data.multipart_data.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
        elif request_data is not None:
            body = request_data.url_encoded_parameters().encode()
            headers = {"Content-Type": _FORM}
        try:
            request = self._session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=self._proxy(url)
            )
            async with request as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise TimedOut("Pool or connect timeout: the request was *not* sent to Telegram.") from exc
        except TimeoutError as exc:  # aiohttp's read timeout, or the whole request's
            raise TimedOut from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc
