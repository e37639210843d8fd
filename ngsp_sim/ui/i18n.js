// The dashboard's two languages: every visible word comes from this table, Vietnamese first. The chosen
// language is remembered in the browser; modules ask t() for a word and language() for the names the admin
// API gives in both languages ({vi, en}).

const I18N = {
  vi: {
    title: "Bảng điều khiển nền tảng tích hợp", offline: "mất kết nối", online: "trực tuyến",
    large: "Chữ lớn (máy chiếu)", loginTitle: "Khóa quản trị", token: "Khóa quản trị (admin token)",
    loginHelp: "Nhập khóa quản trị mà hub in ra khi khởi động (hoặc NGSP_SIM_ADMIN_TOKEN).",
    connect: "Kết nối", badToken: "Khóa không đúng.", map: "Bản đồ kết nối",
    scenarios: "Kịch bản", play: "▶ Chạy", step: "» Từng bước", next: "» Bước tiếp", stop: "■ Dừng",
    messages: "Bản tin", health: "Tình trạng dịch vụ", faults: "Lỗi giả lập", filterText: "Lọc theo bên gọi, dịch vụ, mã lỗi…",
    all: "Tất cả", ok: "Thành công", failed: "Thất bại", time: "Thời điểm", client: "Bên gọi", service: "Dịch vụ",
    status: "Trạng thái", ms: "ms", okCount: "Thành công", failedCount: "Thất bại", avgMs: "TB (ms)",
    maxMs: "Tối đa (ms)", faultId: "Mã lỗi giả lập", target: "Đích", kind: "Loại", hits: "Số lần",
    inject: "Gây lỗi", clear: "Gỡ", inspector: "Chi tiết bản tin", close: "Đóng", hub: "NGSP", hubLgsp: "LGSP",
    record: "Tiêu đề và bản ghi", timings: "Thời gian", violations: "Vi phạm lược đồ",
    clientRequest: "Yêu cầu của bên gọi (trước bộ chuyển đổi)", providerRequest: "Yêu cầu gửi nhà cung cấp (sau bộ chuyển đổi)",
    providerResponse: "Trả lời của nhà cung cấp (gốc)", clientResponse: "Trả lời cho bên gọi",
    total: "Tổng", provider: "Nhà cung cấp", overhead: "Nền tảng", noBody: "(không có nội dung)",
    waitingLog: "Đang chờ nhật ký ghi bản tin…", shown: "bản tin",
    state_running: "Đang chạy", state_waiting: "Chờ bước tiếp", state_passed: "Đạt", state_failed: "Không đạt",
    state_stopped: "Đã dừng", state_abandoned: "Bị bỏ dở (hết thời gian chờ)", stepsPassed: "bước đạt",
    hubDown: "Không kết nối được với hub (máy chủ mô phỏng): hãy kiểm tra hub còn chạy không",
    raw: "Dữ liệu gốc (JSON)", upNext: "Bước tiếp theo", waitLeft: "Còn {s} giây", throttled: "Giới hạn tần suất", stepWord: "Bước", paused: "Tạm dừng",
    secondsPerStep: "giây/bước", immediate: "không chờ", pause: "⏸ Tạm dừng", resume: "▶ Tiếp tục",
    slower: "Chậm hơn", faster: "Nhanh hơn", pace: "Nhịp trình chiếu", presenter: "Chế độ trình chiếu", leavePresenter: "Thoát chế độ trình chiếu",
    reset: "Bắt đầu buổi mới", resetHelp: "Gỡ mọi lỗi giả lập, đóng cầu dao, dừng kịch bản đang chạy; nhật ký vẫn được giữ",
    sessionStarted: "Buổi mới bắt đầu lúc", circuits: "Cầu dao bảo vệ (circuit breaker)", closeCircuit: "Đóng cầu dao",
    circuit_open: "Cầu dao đang mở: hub tạm ngừng gọi nhà cung cấp này", circuit_half_open: "Cầu dao đang thử lại",
    faultOn: "Đang có lỗi giả lập", provider_: "Nhà cung cấp", lesson: "Điều kịch bản này cho thấy",
    kind_outage: "Ngừng hoạt động", kind_error: "Trả lỗi", kind_timeout: "Quá thời gian chờ", kind_reset: "Ngắt kết nối",
    kind_malformed: "Trả lời sai định dạng", kind_schema_violation: "Vi phạm lược đồ",
    kind_globalconf: "Cấu hình toàn cục hết hạn", kind_ocsp: "Không có phản hồi OCSP mới",
    kind_timestamping: "Không cấp được dấu thời gian", kind_certificate: "Chứng thư số hết hạn",
    refused: "Bị từ chối", outcome: "Kết quả", decidedBy: "Nơi quyết định", decidedAtNgsp: "NGSP quyết định",
    f_messageId: "Mã bản tin", f_client: "Bên gọi", f_service: "Dịch vụ", f_faultCode: "Loại lỗi",
    f_faultString: "Mô tả lỗi", f_request: "Yêu cầu", f_provider: "Gọi nhà cung cấp", f_traceId: "Mã vết (trace)",
    f_injected: "Lỗi giả lập đã áp dụng", f_requestInTs: "Hub nhận yêu cầu", f_requestOutTs: "Hub chuyển yêu cầu đi",
    f_responseInTs: "Hub nhận trả lời", f_responseOutTs: "Hub gửi trả lời", meaning: "Ý nghĩa",
    rowHint: "Nhấn Enter để xem chi tiết", timeline: "Trình tự trao đổi", exportSvg: "Tải sơ đồ (SVG)", print: "In báo cáo",
    tryit: "Thử gọi dịch vụ", tryStyle: "Kiểu kết nối", consumerKey: "Consumer key", consumerSecret: "Consumer secret",
    demoSecret: "(chỉ dùng cho demo: motcua-hcm / demo-motcua-hcm-secret)", tryPayload: "Nội dung yêu cầu (sửa được)",
    trySend: "Gửi", tryAnswer: "Trả lời", trySent: "Yêu cầu đã gửi, chỗ vi phạm được tô đỏ",
    wireXroad: "X-Road (/r1)", wireGateway: "Cổng API (token)", keysHelp: "Phím: PageDown/→/Space bước tiếp, PageUp/← bước trước, Esc đóng",
  },
  en: {
    title: "Integration platform dashboard", offline: "disconnected", online: "live",
    large: "Large type (projector)", loginTitle: "Admin token", token: "Admin token",
    loginHelp: "Enter the admin token the hub printed when it started (or NGSP_SIM_ADMIN_TOKEN).",
    connect: "Connect", badToken: "That token is not valid.", map: "Connection map",
    scenarios: "Scenarios", play: "▶ Play", step: "» Step", next: "» Next step", stop: "■ Stop",
    messages: "Messages", health: "Service health", faults: "Injected faults", filterText: "Filter by client, service, fault…",
    all: "All", ok: "Succeeded", failed: "Failed", time: "Time", client: "Client", service: "Service",
    status: "Status", ms: "ms", okCount: "Succeeded", failedCount: "Failed", avgMs: "Avg (ms)",
    maxMs: "Max (ms)", faultId: "Fault id", target: "Target", kind: "Kind", hits: "Hits",
    inject: "Inject", clear: "Clear", inspector: "Message inspector", close: "Close", hub: "NGSP", hubLgsp: "LGSP",
    record: "Headers and record", timings: "Timings", violations: "Schema violations",
    clientRequest: "Client request (before the adapter)", providerRequest: "Provider request (after the adapter)",
    providerResponse: "Provider response (native)", clientResponse: "Client response",
    total: "Total", provider: "Provider", overhead: "Platform", noBody: "(no body)",
    waitingLog: "Waiting for the message log…", shown: "messages",
    state_running: "Running", state_waiting: "Waiting for the next step", state_passed: "Passed",
    state_failed: "Failed", state_stopped: "Stopped", state_abandoned: "Abandoned (nobody took the next step)",
    stepsPassed: "steps passed",
    hubDown: "Cannot reach the hub (the simulator's server): check that it is still running",
    raw: "Raw data (JSON)", upNext: "Next step", waitLeft: "{s} s left", throttled: "Throttled", stepWord: "Step", paused: "Paused",
    secondsPerStep: "s/step", immediate: "no wait", pause: "⏸ Pause", resume: "▶ Resume",
    slower: "Slower", faster: "Faster", pace: "Presentation pace", presenter: "Presenter view", leavePresenter: "Leave the presenter view",
    reset: "Start a new session", resetHelp: "Clears injected faults, closes circuits, stops running scenarios; the log stays",
    sessionStarted: "New session started at", circuits: "Circuit breakers", closeCircuit: "Close circuit",
    circuit_open: "Circuit open: the hub stopped calling this provider for now", circuit_half_open: "Circuit trying again",
    faultOn: "Injected fault active", provider_: "Provider", lesson: "What this shows",
    kind_outage: "Outage", kind_error: "Error answer", kind_timeout: "Timeout", kind_reset: "Connection reset",
    kind_malformed: "Malformed answer", kind_schema_violation: "Schema violation",
    kind_globalconf: "Global configuration expired", kind_ocsp: "No fresh OCSP response",
    kind_timestamping: "Time-stamping unavailable", kind_certificate: "Certificate expired",
    refused: "Refused", outcome: "Outcome", decidedBy: "Decided at", decidedAtNgsp: "decided by NGSP",
    f_messageId: "Message id (X-Road-Id)", f_client: "Client (X-Road-Client)", f_service: "Service (X-Road-Service)",
    f_faultCode: "Error type (X-Road-Error)", f_faultString: "Error message (faultString)", f_request: "Request",
    f_provider: "Provider call", f_traceId: "Trace id", f_injected: "Injected fault", f_requestInTs: "Request in (requestInTs)",
    f_requestOutTs: "Request out (requestOutTs)", f_responseInTs: "Response in (responseInTs)",
    f_responseOutTs: "Response out (responseOutTs)", meaning: "Meaning",
    rowHint: "Press Enter for details", timeline: "Sequence of exchanges", exportSvg: "Download diagram (SVG)", print: "Print report",
    tryit: "Try it", tryStyle: "Wire style", consumerKey: "Consumer key", consumerSecret: "Consumer secret",
    demoSecret: "(demo only: motcua-hcm / demo-motcua-hcm-secret)", tryPayload: "Request body (edit it)",
    trySend: "Send", tryAnswer: "Answer", trySent: "The request sent, each violation highlighted",
    wireXroad: "X-Road (/r1)", wireGateway: "API gateway (token)", keysHelp: "Keys: PageDown/→/Space next, PageUp/← previous, Esc closes",
  },
};

let current = localStorage.getItem("ngsp-lang") || "vi";

/** The language being shown: "vi" or "en". */
export function language() { return current; }

/** Remember a language; the caller redraws what it shows. */
export function setLanguage(lang) { current = lang; localStorage.setItem("ngsp-lang", lang); }

/** The word for `key` in the language shown, or in `lang` (English if that language lacks it, else the key). */
export function t(key, lang = current) { return (I18N[lang] || I18N.en)[key] || I18N.en[key] || key; }

/** What a step of a run did, in plain words (the run's `explanation`), or null when the hub gives none. */
export function explain(step) { return step.explanation?.[current] ?? null; }

let glossary = new Map();  // code -> item of GET /glossary

/** Keeps the hub's glossary of error types and native codes (GET /glossary). */
export function setGlossary(items) { glossary = new Map(items.map((item) => [item.code, item])); }

/** An error type's or native code's name and one-sentence meaning in the language shown, or null. */
export function term(code) { return (code && glossary.get(code)?.[current]) || null; }
