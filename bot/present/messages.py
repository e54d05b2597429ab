"""The message catalogue: every user-facing sentence, in Vietnamese (default) and English.

Templates are HTML for Telegram's HTML parse mode; placeholders are filled with
:func:`t`, which escapes every value, so callers never build HTML from user input by hand.
"""

from __future__ import annotations

import html
from typing import Any

from bot.config import DEFAULT_LANG

CATALOG: dict[str, dict[str, str]] = {
    "vi": {
        "welcome": (
            "<b>Xin chào{name}!</b>\n"
            "Tôi là trợ lý tra cứu tài liệu công tác xây dựng Đảng.\n\n"
            "• Gõ vài từ để tìm tài liệu, có dấu hoặc không dấu: <i>kết nạp đảng viên</i>, "
            "<i>tham nhung dau thau</i>, <i>Kết luận 21-KL/TW</i>.\n"
            "• /topics — duyệt theo chủ đề, /latest — tài liệu mới nhất.\n"
            "• /classify — phân loại chủ đề một đoạn văn bản.\n"
            "• /digest — bản tin hằng ngày cho nhóm.\n\n"
            "Thử ngay một câu hỏi mẫu:"
        ),
        "help": (
            "<b>Hướng dẫn sử dụng</b>\n"
            "• Gõ từ khóa (có dấu hoặc không dấu) để tìm tài liệu; đặt cụm từ trong dấu ngoặc kép để tìm chính xác.\n"
            "• Có thể lọc theo năm: <i>kết nạp đảng viên 2022</i>, <i>từ 01/2023</i>.\n"
            "• /search &lt;từ khóa&gt; — tìm kiếm (dùng được trong nhóm)\n"
            "• /topics — danh sách chủ đề; /topic &lt;tên chủ đề&gt; — tài liệu theo chủ đề\n"
            "• /latest — tài liệu mới nhất\n"
            "• /doc &lt;số&gt; — đọc toàn văn tài liệu\n"
            "• /classify &lt;văn bản&gt; — phân loại chủ đề (hoặc trả lời một tin nhắn bằng /classify)\n"
            "• /digest — bản tin hằng ngày\n"
            "• /lang en — English"
        ),
        "results_header": "🔎 <b>{query}</b> — {total} kết quả (trang {page}/{pages})",
        "results_header_one": "🔎 <b>{query}</b> — 1 kết quả (trang {page}/{pages})",
        # A long query needing only some of its words: "201 kết quả" read as 201 answers, and
        # "234 tài liệu có một phần" was a number nobody could use.
        "results_header_split": "🔎 <b>{query}</b> — {complete} tài liệu có đủ các từ, xếp lẫn với các bài gần đúng (trang {page}/{pages})",
        "results_header_split_none": "🔎 <b>{query}</b> — các bài gần đúng, không bài nào có đủ các từ (trang {page}/{pages})",
        "central_document": "📄 <b>{title}</b> ({date})\nTrước hết là các bài dẫn văn bản này, sau đó các bài cùng chủ đề.",
        "central_document_cited": "📄 <b>{title}</b> ({date})\nTrước hết là {n} bài dẫn văn bản này, sau đó các bài cùng chủ đề.",
        "central_document_cited_one": "📄 <b>{title}</b> ({date})\nTrước hết là bài dẫn văn bản này, sau đó các bài cùng chủ đề.",
        "central_document_uncited": "📄 <b>{title}</b> ({date})\nChưa bài nào dẫn văn bản này; dưới đây là các bài cùng chủ đề.",
        "subject_divider": "— Các bài cùng chủ đề, không dẫn văn bản —",
        "apart_divider": "— Các bài sau có các tiếng của «{words}» ở chỗ khác nhau —",
        "note_phrase_relaxed": "Không có tài liệu chứa đúng cụm từ trong ngoặc kép; dưới đây là các kết quả gần nhất.",
        "topic_header": "📂 <b>{topic}</b> — {total} tài liệu (trang {page}/{pages})",
        "topic_header_one": "📂 <b>{topic}</b> — 1 tài liệu (trang {page}/{pages})",
        "topic_header_mixed": (
            "📂 <b>{topic}</b> — {tagged} tài liệu thuộc chủ đề, {others} tài liệu khác có các từ"
            " đã gõ (trang {page}/{pages})"
        ),
        "topic_header_untagged": (
            "📂 <b>{topic}</b> — không tài liệu nào của chủ đề; {others} tài liệu khác có các từ"
            " đã gõ (trang {page}/{pages})"
        ),
        "topic_header_untagged_one": (
            "📂 <b>{topic}</b> — không tài liệu nào của chủ đề; 1 tài liệu khác có các từ đã gõ"
            " (trang {page}/{pages})"
        ),
        "latest_header": "🆕 <b>Tài liệu mới nhất</b> — {total} tài liệu (trang {page}/{pages})",
        "soft_topic": "Chủ đề liên quan: {topic}",
        "note_relaxed": "Không có tài liệu chứa đủ các từ đã gõ; đây là kết quả gần đúng.",
        "note_typo": "Đã tìm theo: <i>{corrected}</i>",
        "note_english": "Tài liệu bằng tiếng Việt; đã tìm theo: <i>{corrected}</i>",
        "search_as_typed": "Tìm đúng như đã gõ",
        "note_date_relaxed": "Trong khoảng thời gian đó không có tài liệu nào có đủ các từ đã gõ; đây là kết quả ở mọi thời điểm.",
        "note_date_relaxed_period": "Thời gian {period}: không có tài liệu nào có đủ các từ đã gõ; đây là kết quả ở mọi thời điểm.",
        "note_period_empty": "Thời gian {period}: chưa có tài liệu nào; đây là các tài liệu mới nhất.",
        "note_code_uncited": "Không có tài liệu nào dẫn số hiệu văn bản đã gõ; đây là các bài có những từ đó.",
        "no_document_cites": "Không có tài liệu nào dẫn số hiệu văn bản đã gõ.",
        "note_ignored": "Không tài liệu nào có từ: <i>{words}</i> (đã bỏ qua).",
        "note_unread": "Không hiểu các từ tiếng Anh: <i>{words}</i> (đã bỏ qua).",
        "note_kind_mismatch": "Đã tìm theo số hiệu {code}; «{kind}» không khớp với loại văn bản của số hiệu này.",
        "note_no_document_has": "Không tài liệu nào có từ: <i>{words}</i>.",
        "documents_in_vietnamese": "Tài liệu bằng tiếng Việt: hãy gõ từ tiếng Việt, có dấu hoặc không dấu (ví dụ: <i>sinh hoạt chi bộ</i>).",
        "note_complete": "Chỉ {n} tài liệu có đủ các từ đã gõ; các tài liệu khác có một phần.",
        "note_together": "Chỉ {n} tài liệu có «{words}» liền nhau; các tài liệu khác có các tiếng này ở chỗ khác nhau.",
        "note_together_one": "Chỉ 1 tài liệu có «{words}» liền nhau; các tài liệu khác có các tiếng này ở chỗ khác nhau.",
        "note_complete_one": "Chỉ 1 tài liệu có đủ các từ đã gõ; các tài liệu khác có một phần.",
        "note_complete_none": "Không tài liệu nào có đủ các từ đã gõ; mỗi tài liệu có một phần.",
        "note_contradicted": "Từ vừa được tìm vừa bị loại trừ: <i>{words}</i>; chỉ tìm các tài liệu không có từ này.",
        "note_date_widened": "Không có ngày «{typed}»: đọc là {period}.",
        "note_period": "Thời gian: {period}.",
        "note_period_first": "Câu hỏi được tìm ở mọi thời điểm; bài {period} được xếp trên các bài khớp tương đương.",
        "note_period_first_none": "Trong các bài khớp nhất không có bài nào {period}; đây là kết quả ở mọi thời điểm.",
        "note_newest": "Xếp theo ngày đăng, mới nhất trước.",
        "note_newest_best": "Xếp theo ngày đăng, mới nhất trước: {n} bài khớp nhất trong {of} bài tìm được.",
        "note_oldest": "Xếp theo ngày đăng, cũ nhất trước.",
        "note_oldest_best": "Xếp theo ngày đăng, cũ nhất trước: {n} bài khớp nhất trong {of} bài tìm được.",
        "note_via": "Không tài liệu nào viết «{typed}»; đã tìm theo: {forms}.",
        "note_period_named": "Thời gian: {period} (kể cả bài đăng sau đó nói về năm {year}).",
        "note_period_reports": "Thời gian: {period}, cùng các bài sơ kết, báo cáo về nó đăng trong {days} ngày sau đó.",
        "named_year": "nhắc tới năm {year}",
        "no_topic": "ngoài các chủ đề",
        "note_absent_names": "Không tài liệu nào nhắc tới {names}.",
        "no_words": "Không nhận ra từ nào để tìm trong «{query}»: từ quá dài, hoặc các tiếng viết liền không có dấu cách. Hãy gõ vài từ, ví dụ: <code>kết nạp đảng viên</code>",
        "classify_pasted": "🏷 Phân loại chủ đề cả đoạn văn",
        "note_excluded": "Đã loại trừ: <i>{words}</i>.",
        "note_excluded_hits": "Đã loại trừ: <i>{words}</i> (bỏ {n} tài liệu có từ này).",
        "note_words_apart": "Không tài liệu nào có các từ này đứng liền nhau.",
        "note_phrase_partial": "{n} tài liệu đầu có đúng cụm từ trong ngoặc kép; các tài liệu sau chỉ có các từ của nó.",
        "note_phrase_partial_one": "Chỉ tài liệu đầu tiên có đúng cụm từ trong ngoặc kép; các tài liệu sau chỉ có các từ của nó.",
        "no_results": "Không tìm thấy tài liệu phù hợp với «{query}».",
        "try_instead": "Thử tìm: {suggestions}",
        "try_topics": "Hoặc xem theo chủ đề: /topics",
        "try_topics_alone": "Hãy thử từ khác, hoặc xem theo chủ đề: /topics",
        "no_results_narrowed": "Không có tài liệu nào về «{query}» có {phrases}.",
        "narrowed_undo": "Gõ «bỏ lọc» để xem lại các kết quả khi chưa lọc.",
        "stopwords_only": "Từ khóa quá chung chung, hãy thêm từ cụ thể hơn (ví dụ: <i>kết nạp đảng viên</i>).",
        "empty_query": "Hãy gõ từ khóa cần tìm, ví dụ: <code>/search kết nạp đảng viên</code>",
        "paging_end": "Đã hết kết quả cho «{query}» (trang cuối {pages}/{pages}).",
        "item_gone": "Bài số {n} trong danh sách đã bị gỡ khỏi kho tài liệu.",
        "narrowed_to": "Chỉ các tài liệu có {phrases}.",
        "past_the_end": "Không có trang {asked}: chỉ có {pages} trang, đây là trang cuối.",
        "past_the_end_far": "Chỉ có {pages} trang, đây là trang cuối.",
        "reading_gone": "Tài liệu đang mở (#{id}) đã bị gỡ khỏi kho tài liệu.",
        "doc_end": "Đây là trang cuối của tài liệu ({pages}/{pages}); gõ «quay lại» để về trang trước.",
        "doc_whole": "Tài liệu này chỉ có một trang, đã hiện đầy đủ ở trên; gõ «tài liệu liên quan» để xem các bài cùng chủ đề.",
        "related_no_doc": "Hãy mở một tài liệu trước (bấm /doc_12 dưới kết quả tìm kiếm), rồi gõ «tài liệu liên quan».",
        "item_missing": "Lần tìm trước có {total} kết quả: không có bài số {n}.",
        "item_from_one": "Các kết quả được đánh số từ 1: gõ «bài 1» … «bài {total}».",
        "item_no_search": "Chưa có kết quả nào để mở bài số {n}: hãy gõ từ cần tìm trước, ví dụ: kết nạp đảng viên.",
        "paging_hint": "Hãy gõ từ cần tìm trước, ví dụ: kết nạp đảng viên; sau đó gõ «xem thêm» hoặc bấm ▶ để xem trang tiếp.",
        "small_talk_thanks": "Rất vui được giúp đồng chí. Cần tìm gì thêm, cứ gõ vài từ, ví dụ: <code>sinh hoạt chi bộ</code>.",
        "small_talk_bye": "Chào đồng chí, hẹn gặp lại! Cần tìm tài liệu, cứ nhắn vài từ.",
        "small_talk_right": "Cảm ơn đồng chí. Cần tìm gì thêm, cứ gõ vài từ, hoặc «bài 2» để mở một kết quả.",
        "small_talk_wrong": "Xin lỗi đồng chí. Hãy thử gõ lại bằng từ khác: tên văn bản (<code>Quy định 08</code>), thêm địa phương hoặc năm (<code>tham nhũng ở Đà Nẵng năm 2023</code>), hoặc xem theo chủ đề: /topics.",
        "which_item": "Đồng chí muốn mở bài số mấy? Gõ «bài 1» … «bài {n}», hoặc bấm /doc_… dưới bài đó.",
        "query_too_long": "Từ khóa quá dài; tôi chỉ dùng {limit} ký tự đầu.",
        "topics_header": "📚 <b>Chủ đề</b> — chọn một chủ đề để xem tài liệu mới nhất:",
        "unknown_topic": "Không có chủ đề «{slug}». Xem danh sách: /topics",
        "topic_ambiguous": "«{slug}» có trong nhiều chủ đề: {names}",
        "topic_usage": "Cách dùng: <code>/topic kết nạp đảng viên</code> (tên một chủ đề) hoặc chọn trong /topics",
        "doc_usage": "Cách dùng: <code>/doc 12</code> (số tài liệu trong kết quả tìm kiếm)",
        "doc_not_found": "Không tìm thấy tài liệu «{ref}».",
        "doc_page": "Trang {page}/{pages}",
        "expired": "Danh sách này đã hết hạn, hãy tìm lại.",
        "classify_usage": "Cách dùng: <code>/classify nội dung cần phân loại</code> hoặc trả lời một tin nhắn bằng /classify",
        "classify_header": "🏷 <b>Phân loại chủ đề</b>",
        "classify_none": "Văn bản không thuộc chủ đề nào trong danh mục.",
        "classify_unreadable": "Không đọc được nội dung để phân loại: hãy gửi một đoạn văn tiếng Việt (vài câu).",
        "classify_too_short": "Văn bản quá ngắn để phân loại (cần ít nhất {n} từ tiếng Việt): hãy gửi một câu hoặc một đoạn văn.",
        "classify_short": "<i>Văn bản rất ngắn: kết quả chỉ để tham khảo.</i>",
        "classify_others": "Chủ đề khác: {topics}",
        "classify_nearest": "Gần nhất: {topics}",
        "classify_nearest_unsure": "Gần nhất: {topics}, nhưng chưa đủ chắc để xếp vào chủ đề đó (mỗi chủ đề có ngưỡng riêng).",
        "classify_unavailable": "Mô hình phân loại chưa sẵn sàng.",
        "terms": "căn cứ: {terms}",
        "lang_set": "Đã chuyển sang tiếng Việt.",
        "lang_usage": "Cách dùng: <code>/lang vi</code> hoặc <code>/lang en</code>",
        "unknown_command": "Không có lệnh <code>/{command}</code>. Gõ /help để xem các lệnh, hoặc gõ vài từ để tìm tài liệu.",
        "console_no_digest": "Bản tin hằng ngày gửi qua Telegram (<code>/digest on</code> trong nhóm hoặc chat riêng); ở đây hãy dùng <code>partybot digest on --chat ID</code> rồi <code>partybot digest preview --chat ID</code>.",
        "refused": (
            "Xin lỗi, bạn chưa được cấp quyền sử dụng trợ lý này.\n"
            "Hãy gửi mã số của bạn cho quản trị viên: <code>{user_id}</code>"
        ),
        "group_refused": (
            "Nhóm này chưa được cấp quyền sử dụng trợ lý. Quản trị viên có thể cấp quyền bằng lệnh "
            "<code>/allow {chat_id}</code>."
        ),
        "rate_limited": "Bạn gửi quá nhanh, vui lòng chờ {seconds} giây rồi thử lại.",
        "admin_only": "Lệnh này chỉ dành cho quản trị viên.",
        "allow_usage": "Cách dùng: <code>/allow &lt;mã người dùng hoặc nhóm&gt;</code>",
        "allowed": "Đã cấp quyền cho <code>{id}</code>.",
        "denied": "Đã thu hồi quyền của <code>{id}</code>.",
        "error": "Có lỗi xảy ra, vui lòng thử lại.",
        "db_unavailable": "Hệ thống tạm thời không truy cập được cơ sở dữ liệu, vui lòng thử lại sau ít phút.",
        "stats": (
            "📊 <b>Thống kê</b>\n"
            "Tài liệu: {documents}\n"
            "Mô hình đang dùng: {model} (macro-F1 {f1})\n"
            "Nhóm đăng ký bản tin: {subscriptions}\n\n{topics}"
        ),
        "reloaded": "Đã tải lại chỉ mục tìm kiếm ({docs} tài liệu) và mô hình {model}.",
        "ingested": "Đã nhận tệp <b>{name}</b>: {summary}",
        "ingest_failed": "Không đọc được tệp <b>{name}</b>: {error}",
        "ingest_doc": "• #{id} {title} — {topics}",
        "group_pending": (
            "Xin chào! Tôi là trợ lý tra cứu tài liệu công tác xây dựng Đảng. Nhóm này cần được "
            "quản trị viên của trợ lý cấp quyền trước khi sử dụng: <code>/allow {chat_id}</code>."
        ),
        "group_hello": (
            "Xin chào! Tôi là trợ lý tra cứu tài liệu công tác xây dựng Đảng.\n"
            "• Tìm tài liệu: <code>/search kết nạp đảng viên</code>\n"
            "• Nhận bản tin hằng ngày: quản trị viên nhóm gõ <code>/digest on 07:00</code>"
        ),
        "prev": "◀ Trước",
        "next": "Sau ▶",
        "open": "Đọc toàn văn",
        "related": "Tài liệu liên quan",
        "related_header": "🔗 <b>Tài liệu liên quan</b> — {title}",
        "no_date": "không rõ ngày",
        "inline_no_results": "Không có kết quả",
        "console_no_button": "Không có nút số {n}: các nút hiện có là 1–{last}.",
        "console_one_button": "Không có nút số {n}: chỉ có nút 1.",
        "only_excluded": "Chỉ có từ loại trừ (sau dấu -); hãy thêm từ cần tìm, ví dụ: <code>tham nhũng -đấu thầu</code>",
        "console_no_buttons": "Không có nút số {n}: câu trả lời vừa rồi không có nút nào. Để tìm một con số, hãy gõ /search {n}.",
        "console_intro": "Trò chuyện ngoại tuyến (không cần Telegram). Gõ câu hỏi, /help để xem lệnh, số để bấm nút, /quit để thoát.",
        "cmd_search": "Tìm tài liệu",
        "cmd_topics": "Duyệt theo chủ đề",
        "cmd_latest": "Tài liệu mới nhất",
        "cmd_doc": "Đọc toàn văn tài liệu",
        "cmd_classify": "Phân loại chủ đề văn bản",
        "cmd_digest": "Bản tin hằng ngày",
        "cmd_lang": "Ngôn ngữ / Language",
        "cmd_help": "Hướng dẫn",
        "cmd_allow_group": "Cấp quyền cho nhóm",
        "cmd_allow": "Cấp quyền",
        "cmd_deny": "Thu hồi quyền",
        "cmd_stats": "Thống kê",
        "cmd_reload": "Tải lại chỉ mục và mô hình",
        "digest_title": "📰 <b>Bản tin {date}</b> — {count} tài liệu mới",
        "digest_title_sample": "📰 <b>Bản tin mẫu {date}</b> — {count} tài liệu gần đây (không phải tài liệu mới)",
        "digest_trend": "Tài liệu 7 ngày qua so với 7 ngày trước đó: {items}",
        "digest_other": "Khác",
        "digest_empty": "📰 Bản tin {date}: không có tài liệu mới kể từ bản tin trước (hoặc từ lúc đăng ký).",
        "digest_more": "… và {n} tài liệu khác",
        "digest_more_topic": "(/topic {n})",
        "digest_continued": "(tiếp)",
        "plain_results": "Kết quả cho «{query}»:",
        "plain_no_results": "Không tìm thấy tài liệu phù hợp.",
        "digest_settings": "📰 <b>Bản tin hằng ngày</b>: {state}\nGiờ gửi: {time} ({tz})\nChủ đề: {topics}\nLần gửi gần nhất: {last}",
        "digest_on": "bật",
        "digest_off": "tắt",
        "digest_all": "tất cả",
        "digest_never": "chưa có",
        "digest_usage": (
            "<code>/digest on [HH:MM]</code> — bật (mặc định 07:00)\n<code>/digest off</code> — tắt\n"
            "<code>/digest topics inspection admission</code> — chỉ các chủ đề này (mã chủ đề: {slugs}; <code>all</code> = tất cả)\n"
            "<code>/digest tz Asia/Ho_Chi_Minh</code> — múi giờ\n<code>/digest empty on|off</code> — báo cả ngày không có tin\n"
            "<code>/digest now</code> — xem trước bản tin"
        ),
        "digest_enabled": "Đã bật bản tin lúc {time} ({tz}).",
        "digest_disabled": "Đã tắt bản tin.",
        "digest_admins_only": "Chỉ quản trị viên nhóm mới thay đổi được cài đặt bản tin.",
        "digest_not_subscribed": "Nhóm chưa đăng ký bản tin. Gõ <code>/digest on</code> để bật.",
        "digest_unknown_topics": "Không có chủ đề: {slugs}. Các mã chủ đề: {known}.",
        "digest_failed_admin": "⚠️ Bản tin gửi nhóm {chat_id} thất bại: {error}",
        "source_usage": "<code>/source add URL [30m]</code> · <code>/source remove N</code>",
    },
    "en": {
        "welcome": (
            "<b>Hello{name}!</b>\n"
            "I help you find Party-building documents.\n\n"
            "• Type a few words, with or without Vietnamese accents: <i>kết nạp đảng viên</i>, "
            "<i>tham nhung dau thau</i>, <i>Kết luận 21-KL/TW</i>.\n"
            "• /topics — browse by topic, /latest — newest documents.\n"
            "• /classify — label a text with topics.\n"
            "• /digest — a daily digest for groups.\n\n"
            "Try an example:"
        ),
        "help": (
            "<b>How to use</b>\n"
            "• Type keywords (accents optional); put a phrase in double quotes for an exact match.\n"
            "• Filter by year: <i>kết nạp đảng viên 2022</i>, <i>từ 01/2023</i>.\n"
            "• /search &lt;words&gt; — search (works in groups)\n"
            "• /topics — topics; /topic &lt;topic name&gt; — documents of a topic\n"
            "• /latest — newest documents\n"
            "• /doc &lt;number&gt; — read a document\n"
            "• /classify &lt;text&gt; — topics of a text (or reply to a message with /classify)\n"
            "• /digest — daily digest\n"
            "• /lang vi — Tiếng Việt"
        ),
        "results_header": "🔎 <b>{query}</b> — {total} results (page {page}/{pages})",
        "results_header_one": "🔎 <b>{query}</b> — 1 result (page {page}/{pages})",
        "results_header_split": "🔎 <b>{query}</b> — {complete} with every word, ranked among close matches (page {page}/{pages})",
        "results_header_split_none": "🔎 <b>{query}</b> — close matches, none with every word (page {page}/{pages})",
        "central_document": "📄 <b>{title}</b> ({date})\nArticles citing it come first, then articles on its subject.",
        "central_document_cited": "📄 <b>{title}</b> ({date})\nThe {n} articles citing it come first, then articles on its subject.",
        "central_document_cited_one": "📄 <b>{title}</b> ({date})\nThe article citing it comes first, then articles on its subject.",
        "central_document_uncited": "📄 <b>{title}</b> ({date})\nNo article cites it; these are on its subject.",
        "subject_divider": "— On its subject, not citing it —",
        "apart_divider": "— These have the syllables of «{words}» apart —",
        "note_phrase_relaxed": "No document has the quoted words in that order; these are the closest.",
        "topic_header": "📂 <b>{topic}</b> — {total} documents (page {page}/{pages})",
        "topic_header_one": "📂 <b>{topic}</b> — 1 document (page {page}/{pages})",
        "topic_header_mixed": (
            "📂 <b>{topic}</b> — {tagged} documents on the topic, {others} more with the words"
            " typed (page {page}/{pages})"
        ),
        "topic_header_untagged": (
            "📂 <b>{topic}</b> — none on the topic; {others} other documents with the words"
            " typed (page {page}/{pages})"
        ),
        "topic_header_untagged_one": (
            "📂 <b>{topic}</b> — none on the topic; 1 other document with the words typed"
            " (page {page}/{pages})"
        ),
        "latest_header": "🆕 <b>Latest documents</b> — {total} documents (page {page}/{pages})",
        "soft_topic": "Related topic: {topic}",
        "note_relaxed": "No document has all the words typed; these are the closest matches.",
        "note_typo": "Searched for: <i>{corrected}</i>",
        "note_english": "The documents are in Vietnamese; searched for: <i>{corrected}</i>",
        "search_as_typed": "Search as typed",
        "note_date_relaxed": "Nothing in that period has every word typed; these are results from any time.",
        "note_date_relaxed_period": "Nothing in the period ({period}) has every word typed; these are results from any time.",
        "note_period_empty": "Nothing yet in the period ({period}); these are the newest documents.",
        "note_code_uncited": "No document cites the document number typed; these are documents with its words.",
        "no_document_cites": "No document cites the document number typed.",
        "note_ignored": "No document has: <i>{words}</i> (left out).",
        "note_unread": "Words not understood: <i>{words}</i> (left out).",
        "note_kind_mismatch": "Searched by the code {code}; «{kind}» is another kind of document than its code says.",
        "note_no_document_has": "No document has: <i>{words}</i>.",
        "documents_in_vietnamese": "The documents are in Vietnamese: type Vietnamese words, with or without accents (e.g. <i>sinh hoạt chi bộ</i> for Party cell meetings).",
        "note_complete": "Only {n} of them have every word typed; the others have some of them.",
        "note_together": "Only {n} of them have «{words}» written together; the others have these syllables in different places.",
        "note_together_one": "Only one of them has «{words}» written together; the others have these syllables in different places.",
        "note_complete_one": "Only one of them has every word typed; the others have some of them.",
        "note_complete_none": "None of them has every word typed; each has some of them.",
        "note_contradicted": "Both searched for and excluded: <i>{words}</i>; only documents without it were searched.",
        "note_date_widened": "There is no date «{typed}»: read as {period}.",
        "note_period": "Period: {period}.",
        "note_period_first": "The question is searched at any time; documents from {period} rank above equal matches.",
        "note_period_first_none": "None of the best matches is from {period}; these are results from any time.",
        "note_newest": "Newest first, by publication date.",
        "note_newest_best": "Newest first, by publication date: the {n} best matches of {of} found.",
        "note_oldest": "Oldest first, by publication date.",
        "note_oldest_best": "Oldest first, by publication date: the {n} best matches of {of} found.",
        "note_via": "No document writes «{typed}»; searched as: {forms}.",
        "note_period_named": "Period: {period} (and later articles about {year}).",
        "note_period_reports": "Period: {period}, with the reports on it published in the {days} days after.",
        "named_year": "names {year}",
        "no_topic": "none of the topics",
        "note_absent_names": "No document names {names}.",
        "no_words": "No word to search for in «{query}»: a word too long, or syllables run together without spaces. Type a few words, e.g. <code>kết nạp đảng viên</code>",
        "classify_pasted": "🏷 Topics of the whole text",
        "note_excluded": "Left out: documents with <i>{words}</i>.",
        "note_excluded_hits": "Left out: documents with <i>{words}</i> ({n} of them).",
        "note_words_apart": "No document has these words side by side.",
        "note_phrase_partial": "The first {n} have the quoted phrase; the documents after them only its words.",
        "note_phrase_partial_one": "Only the first document has the quoted phrase; the ones after it only its words.",
        "no_results": "No documents match «{query}».",
        "try_instead": "Try: {suggestions}",
        "try_topics": "Or browse topics: /topics",
        "try_topics_alone": "Try other words, or browse topics: /topics",
        "no_results_narrowed": "No documents on «{query}» have {phrases}.",
        "narrowed_undo": "Type «clear filters» to see the results without it again.",
        "stopwords_only": "That query is too general; add a specific word (e.g. <i>kết nạp đảng viên</i>).",
        "empty_query": "Type what to look for, e.g. <code>/search kết nạp đảng viên</code>",
        "paging_end": "No more results for «{query}» (last page {pages}/{pages}).",
        "item_gone": "Result {n} of the list has been removed from the documents.",
        "narrowed_to": "Only documents with {phrases}.",
        "past_the_end": "There is no page {asked}: there are {pages}, this is the last.",
        "past_the_end_far": "There are {pages} pages, this is the last.",
        "reading_gone": "The open document (#{id}) has been removed from the documents.",
        "doc_end": "That is the document's last page ({pages}/{pages}); type «back» for the page before.",
        "doc_whole": "This document has one page, shown in full above; type «related» for documents on its subject.",
        "related_no_doc": "Open a document first (tap /doc_12 under a search result), then type «related».",
        "item_missing": "The last search has {total} results: there is no result {n}.",
        "item_from_one": "Results are numbered from 1: type «open 1» … «open {total}».",
        "item_no_search": "There are no results yet to open result {n} of: type what to look for first, e.g. kết nạp đảng viên.",
        "paging_hint": "Type what to look for first, e.g. kết nạp đảng viên; then type «more» or press ▶ for the next page.",
        "small_talk_thanks": "Glad to help. To look for more, type a few words, e.g. <code>sinh hoạt chi bộ</code>.",
        "small_talk_bye": "Goodbye! To find documents, just send a few words.",
        "small_talk_right": "Thank you. To look for more, type a few words, or «open 2» to open a result.",
        "small_talk_wrong": "Sorry. Try other words: a document's name (<code>Regulation 08</code>), a place or a year (<code>corruption in Da Nang 2023</code>), or browse by topic: /topics.",
        "which_item": "Which one shall I open? Type «open 1» … «open {n}», or tap the /doc_… link under it.",
        "query_too_long": "The query is too long; I used the first {limit} characters.",
        "topics_header": "📚 <b>Topics</b> — pick one to see its newest documents:",
        "unknown_topic": "There is no topic «{slug}». See /topics",
        "topic_ambiguous": "«{slug}» is in several topics: {names}",
        "topic_usage": "Usage: <code>/topic admission</code> or pick one in /topics",
        "doc_usage": "Usage: <code>/doc 12</code> (the document number shown in results)",
        "doc_not_found": "Document «{ref}» not found.",
        "doc_page": "Page {page}/{pages}",
        "expired": "This list has expired; please search again.",
        "classify_usage": "Usage: <code>/classify text to label</code> or reply to a message with /classify",
        "classify_header": "🏷 <b>Topics</b>",
        "classify_none": "The text belongs to none of the topics.",
        "classify_unreadable": "Only Vietnamese text can be labelled: send a paragraph in Vietnamese (a few sentences).",
        "classify_too_short": "Too short to classify (at least {n} Vietnamese words): send a sentence or a paragraph.",
        "classify_short": "<i>A very short text: take the answer as a hint.</i>",
        "classify_others": "Other topics: {topics}",
        "classify_nearest": "Nearest: {topics}",
        "classify_nearest_unsure": "Nearest: {topics}, but not sure enough to file it there (each topic has its own bar).",
        "classify_unavailable": "The classifier is not ready yet.",
        "terms": "because of: {terms}",
        "lang_set": "Switched to English.",
        "lang_usage": "Usage: <code>/lang vi</code> or <code>/lang en</code>",
        "unknown_command": "There is no <code>/{command}</code> command. Type /help for the commands, or a few words to search.",
        "console_no_digest": "The daily digest goes out through Telegram (<code>/digest on</code> in a group or a private chat); here, use <code>partybot digest on --chat ID</code>, then <code>partybot digest preview --chat ID</code>.",
        "refused": (
            "Sorry, you are not allowed to use this assistant yet.\n"
            "Give your id to an administrator: <code>{user_id}</code>"
        ),
        "group_refused": "This group is not allowed to use the assistant. An admin can allow it with <code>/allow {chat_id}</code>.",
        "rate_limited": "You are sending too fast; please wait {seconds} seconds.",
        "admin_only": "This command is for administrators.",
        "allow_usage": "Usage: <code>/allow &lt;user or chat id&gt;</code>",
        "allowed": "Allowed <code>{id}</code>.",
        "denied": "Removed access for <code>{id}</code>.",
        "error": "Có lỗi xảy ra, vui lòng thử lại. (Something went wrong, please try again.)",
        "db_unavailable": "The database is temporarily unavailable; please try again in a few minutes.",
        "stats": (
            "📊 <b>Statistics</b>\n"
            "Documents: {documents}\n"
            "Active model: {model} (macro-F1 {f1})\n"
            "Digest subscriptions: {subscriptions}\n\n{topics}"
        ),
        "reloaded": "Reloaded the search index ({docs} documents) and model {model}.",
        "ingested": "Received <b>{name}</b>: {summary}",
        "ingest_failed": "Could not read <b>{name}</b>: {error}",
        "ingest_doc": "• #{id} {title} — {topics}",
        "group_pending": (
            "Hello! I help you find Party-building documents. An administrator of this "
            "assistant has to allow this group first: <code>/allow {chat_id}</code>."
        ),
        "group_hello": (
            "Hello! I help you find Party-building documents.\n"
            "• Search: <code>/search kết nạp đảng viên</code>\n"
            "• Daily digest: a group admin types <code>/digest on 07:00</code>"
        ),
        "prev": "◀ Prev",
        "next": "Next ▶",
        "open": "Read",
        "related": "Related",
        "related_header": "🔗 <b>Related documents</b> — {title}",
        "no_date": "undated",
        "inline_no_results": "No results",
        "console_no_button": "There is no button {n}: the buttons are 1–{last}.",
        "console_one_button": "There is no button {n}: there is only button 1.",
        "only_excluded": "Only excluded words (after -); add what to look for, e.g. <code>tham nhũng -đấu thầu</code>",
        "console_no_buttons": "There is no button {n}: the last answer has no buttons. To search for a number, type /search {n}.",
        "console_intro": "Offline chat (no Telegram needed). Type a question, /help for commands, a number to press a button, /quit to leave.",
        "cmd_search": "Search documents",
        "cmd_topics": "Browse topics",
        "cmd_latest": "Newest documents",
        "cmd_doc": "Read a document",
        "cmd_classify": "Label a text with topics",
        "cmd_digest": "Daily digest",
        "cmd_lang": "Language / Ngôn ngữ",
        "cmd_help": "Help",
        "cmd_allow_group": "Allow this group",
        "cmd_allow": "Allow a user or group",
        "cmd_deny": "Remove access",
        "cmd_stats": "Statistics",
        "cmd_reload": "Reload index and model",
        "digest_title": "📰 <b>Digest {date}</b> — {count} new documents",
        "digest_title_sample": "📰 <b>Sample digest {date}</b> — {count} recent documents (not new ones)",
        "digest_trend": "Documents of the last 7 days against the 7 before: {items}",
        "digest_other": "Other",
        "digest_empty": "📰 Digest {date}: nothing new since the last digest (or since subscribing).",
        "digest_more": "… and {n} more",
        "digest_more_topic": "(/topic {n})",
        "digest_continued": "(continued)",
        "plain_results": "Results for «{query}»:",
        "plain_no_results": "No matching documents.",
        "digest_settings": "📰 <b>Daily digest</b>: {state}\nTime: {time} ({tz})\nTopics: {topics}\nLast sent: {last}",
        "digest_on": "on",
        "digest_off": "off",
        "digest_all": "all",
        "digest_never": "never",
        "digest_usage": (
            "<code>/digest on [HH:MM]</code> — turn on (default 07:00)\n<code>/digest off</code> — turn off\n"
            "<code>/digest topics inspection admission</code> — only these topics (topic codes: {slugs}; <code>all</code> = every topic)\n"
            "<code>/digest tz Asia/Ho_Chi_Minh</code> — time zone\n<code>/digest empty on|off</code> — also report empty days\n"
            "<code>/digest now</code> — preview"
        ),
        "digest_enabled": "Digest on at {time} ({tz}).",
        "digest_disabled": "Digest off.",
        "digest_admins_only": "Only group admins can change the digest settings.",
        "digest_not_subscribed": "No digest here yet. Type <code>/digest on</code>.",
        "digest_unknown_topics": "Unknown topics: {slugs}. Topic codes: {known}.",
        "digest_failed_admin": "⚠️ Digest to {chat_id} failed: {error}",
        "source_usage": "<code>/source add URL [30m]</code> · <code>/source remove N</code>",
    },
}

EXAMPLE_QUERIES = [
    "kết nạp đảng viên",
    "tham nhung dau thau",
    "Kết luận 21-KL/TW",
    "sinh hoạt chi bộ",
]


def t(lang: str | None, key: str, **values: Any) -> str:
    """The template ``key`` in ``lang`` with every value HTML-escaped.

    Values wrapped in :class:`Raw` are inserted as they are (already-rendered HTML).
    """
    table = CATALOG.get(lang or DEFAULT_LANG, CATALOG[DEFAULT_LANG])
    if values.get("total") == 1 and f"{key}_one" in table:
        key = f"{key}_one"  # "1 result", where the language has a plural
    template = table.get(key) or CATALOG[DEFAULT_LANG][key]
    safe = {
        k: (v.html if isinstance(v, Raw) else html.escape(str(v), quote=False))
        for k, v in values.items()
    }
    return template.format(**safe)


class Raw:
    """Marks a value as trusted HTML for :func:`t`."""

    def __init__(self, html_text: str) -> None:
        self.html = html_text
