"""A local newspaper site for feed tests: pages shaped like Vietnamese Party newspapers.

Every page has navigation, a breadcrumb, share buttons, related links and reader comments
around the article, so extraction tests can check that only the article survives.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

NAV = [
    "Trang chủ",
    "Thời sự",
    "Xây dựng Đảng",
    "Kinh tế",
    "Văn hóa - Xã hội",
    "Quốc phòng - An ninh",
    "Thể thao",
]
COMMENTS = [
    "Bài viết rất hay, cảm ơn tòa soạn đã thông tin kịp thời!",
    "Mong địa phương tôi cũng làm được như vậy.",
]
RELATED = [
    "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 12",
    "Giá lúa tăng mạnh vụ đông xuân",
    "Khai mạc giải bóng đá thiếu niên",
]

ARTICLES: dict[str, tuple[str, list[str]]] = {
    "ket-nap": (
        "Huyện Mường Tè kết nạp 215 đảng viên mới",
        [
            "Năm 2024, Đảng bộ huyện Mường Tè đã kết nạp 215 đảng viên mới, đạt 107% chỉ tiêu Nghị quyết đề ra, trong đó có 168 đảng viên là người dân tộc thiểu số.",
            "Các chi bộ thôn, bản đã chú trọng công tác tạo nguồn, bồi dưỡng quần chúng ưu tú, giới thiệu đoàn viên thanh niên tham gia lớp bồi dưỡng nhận thức về Đảng.",
            "Đồng chí Bí thư Huyện ủy yêu cầu các cấp ủy tiếp tục xóa thôn, bản chưa có đảng viên, bảo đảm chất lượng đảng viên mới kết nạp.",
        ],
    ),
    "kiem-tra": (
        "Ủy ban Kiểm tra Tỉnh ủy thi hành kỷ luật 12 đảng viên",
        [
            "Tại kỳ họp thứ 25, Ủy ban Kiểm tra Tỉnh ủy đã xem xét, thi hành kỷ luật bằng hình thức cảnh cáo đối với 12 đảng viên vi phạm quy định về quản lý đất đai.",
            "Ủy ban cũng kiểm tra khi có dấu hiệu vi phạm đối với Ban Thường vụ Đảng ủy xã Tân Lập, yêu cầu khắc phục hạn chế, thiếu sót trước ngày 30/6.",
            "Qua giải quyết đơn thư tố cáo, Ủy ban kết luận có 3 trường hợp tố cáo đúng, đề nghị cấp có thẩm quyền xử lý nghiêm theo quy định.",
        ],
    ),
    "dan-van": (
        "Phát huy phong trào thi đua Dân vận khéo ở cơ sở",
        [
            "Ban Dân vận Tỉnh ủy vừa tổng kết 5 năm phong trào thi đua “Dân vận khéo”, toàn tỉnh xây dựng được hơn 1.200 mô hình, điển hình được nhân dân đồng tình hưởng ứng.",
            "Ủy ban MTTQ các cấp đã phối hợp tổ chức 350 hội nghị đối thoại, tiếp xúc cử tri, giám sát và phản biện xã hội đối với các dự án liên quan trực tiếp đến người dân.",
            "Nhiều già làng, người có uy tín đã vận động bà con hiến đất làm đường, góp phần xây dựng nông thôn mới.",
        ],
    ),
}


def article_page(
    title: str,
    paragraphs: list[str],
    *,
    date: str = "2024-05-18",
    author: str = "Minh Châu",
    charset: str | None = "utf-8",
) -> str:
    """A full article page with the usual furniture around the article."""
    meta = f'<meta charset="{charset}">' if charset else ""
    nav = "".join(f'<li><a href="/{i}">{html.escape(n)}</a></li>' for i, n in enumerate(NAV))
    related = "".join(
        f'<li><a href="/r{i}">{html.escape(r)}</a></li>' for i, r in enumerate(RELATED)
    )
    comments = "".join(
        f'<div class="comment"><b>Bạn đọc {i}</b><p>{html.escape(c)}</p></div>'
        for i, c in enumerate(COMMENTS)
    )
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="vi"><head>{meta}<title>{html.escape(title)} | Báo Điện tử Đảng bộ tỉnh</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="article:published_time" content="{date}T08:30:00+07:00">
<meta name="author" content="{html.escape(author)}"></head>
<body><header><div class="logo">BÁO ĐẢNG BỘ TỈNH</div><nav><ul>{nav}</ul></nav>
<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/xdd">Xây dựng Đảng</a></div></header>
<main><article><h1>{html.escape(title)}</h1><div class="meta">Thứ Bảy, 18/05/2024 08:30</div>
<div class="content">{body}</div><p class="author"><strong>{html.escape(author)}</strong></p></article>
<div class="share">Chia sẻ Facebook Zalo In bài viết</div>
<section class="related"><h3>Tin liên quan</h3><ul>{related}</ul></section>
<section class="comments"><h3>Ý kiến bạn đọc</h3>{comments}<form>Gửi bình luận</form></section></main>
<footer>Cơ quan chủ quản: Tỉnh ủy. Giấy phép số 123/GP-BTTTT. Bản quyền thuộc về Báo Đảng bộ tỉnh.</footer></body></html>"""


def rss(
    items: list[tuple[str, str, str]], *, title: str = "Báo Đảng bộ tỉnh - Xây dựng Đảng"
) -> str:
    """An RSS 2.0 feed of ``(title, link, summary)`` items."""
    entries = "".join(
        f"<item><title>{html.escape(t)}</title><link>{html.escape(link)}</link><guid>{html.escape(link)}</guid>"
        f"<description>{html.escape(s)}</description><pubDate>Sat, 18 May 2024 01:30:00 GMT</pubDate></item>"
        for t, link, s in items
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{html.escape(title)}</title>{entries}</channel></rss>'


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class FeedSite:
    """An aiohttp server on 127.0.0.1 serving fixed routes, counting requests."""

    def __init__(self) -> None:
        self.routes: dict[str, Route | Callable[[web.Request], web.StreamResponse]] = {}
        self.hits: dict[str, int] = {}
        self.runner: web.AppRunner | None = None
        self.url = ""

    def add(
        self,
        path: str,
        body: str | bytes,
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(data, content_type, status, headers or {})
        return self.url + path

    def add_handler(self, path: str, handler: Callable[[web.Request], web.StreamResponse]) -> str:
        self.routes[path] = handler
        return self.url + path

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path_qs if request.path_qs in self.routes else request.path
        self.hits[path] = self.hits.get(path, 0) + 1
        route = self.routes.get(path)
        if route is None:
            return web.Response(status=404, text="not found")
        if callable(route):
            return await route(request)  # type: ignore[misc]
        etag = route.headers.get("ETag")
        if etag and request.headers.get("If-None-Match") == etag:
            return web.Response(status=304)
        return web.Response(
            body=route.body,
            status=route.status,
            headers={"Content-Type": route.content_type, **route.headers},
        )

    async def start(self) -> FeedSite:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
