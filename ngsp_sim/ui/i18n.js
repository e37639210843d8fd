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
    inject: "Gây lỗi", clear: "Gỡ", inspector: "Chi tiết bản tin", close: "Đóng", hub: "NGSP",
    record: "Tiêu đề và bản ghi", timings: "Thời gian", violations: "Vi phạm lược đồ",
    clientRequest: "Yêu cầu của bên gọi (trước bộ chuyển đổi)", providerRequest: "Yêu cầu gửi nhà cung cấp (sau bộ chuyển đổi)",
    providerResponse: "Trả lời của nhà cung cấp (gốc)", clientResponse: "Trả lời cho bên gọi",
    total: "Tổng", provider: "Nhà cung cấp", overhead: "Nền tảng", noBody: "(không có nội dung)",
    waitingLog: "Đang chờ nhật ký ghi bản tin…", shown: "bản tin",
    state_running: "Đang chạy", state_waiting: "Chờ bước tiếp", state_passed: "Đạt", state_failed: "Không đạt",
    state_stopped: "Đã dừng", state_abandoned: "Bị bỏ dở (hết thời gian chờ)", stepsPassed: "bước đạt",
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
    inject: "Inject", clear: "Clear", inspector: "Message inspector", close: "Close", hub: "NGSP",
    record: "Headers and record", timings: "Timings", violations: "Schema violations",
    clientRequest: "Client request (before the adapter)", providerRequest: "Provider request (after the adapter)",
    providerResponse: "Provider response (native)", clientResponse: "Client response",
    total: "Total", provider: "Provider", overhead: "Platform", noBody: "(no body)",
    waitingLog: "Waiting for the message log…", shown: "messages",
    state_running: "Running", state_waiting: "Waiting for the next step", state_passed: "Passed",
    state_failed: "Failed", state_stopped: "Stopped", state_abandoned: "Abandoned (nobody took the next step)",
    stepsPassed: "steps passed",
  },
};

let current = localStorage.getItem("ngsp-lang") || "vi";

/** The language being shown: "vi" or "en". */
export function language() { return current; }

/** Remember a language; the caller redraws what it shows. */
export function setLanguage(lang) { current = lang; localStorage.setItem("ngsp-lang", lang); }

/** The word for `key` in the language shown (English if that language lacks it, else the key itself). */
export function t(key) { return (I18N[current] || I18N.en)[key] || key; }
