import type { CategoryRule } from './categories.js';

/**
 * Categories of runtimes other than Node, seen in perf, pprof and JIT-map profiles: what the C library's
 * allocator, CPython's and Ruby's interpreters, the JVM (interpreter, JIT compilers, GC threads), Go's scheduler
 * and the kernel (network stack, page faults) are doing — each with advice that fits that runtime, so that
 * `_PyEval_EvalFrameDefault` is not "your code" and libc's `_int_free` is not "look at the JavaScript callers".
 * Specific rules win anywhere on the stack (a page fault under a handler is a page fault); the interpreters are
 * generic (leaf only), since every Python frame runs inside the eval loop.
 */
export const RUNTIME_CATEGORY_RULES: readonly CategoryRule[] = [
  {
    category: 'allocation',
    name: /^(malloc|free|calloc|realloc|cfree|_int_malloc|_int_free|_int_realloc|__libc_(malloc|free|calloc|realloc)|__GI___libc_(malloc|free)|malloc_consolidate|sysmalloc|tcache_\w+|je_\w*(malloc|free)\w*|tc_(malloc|free|new|delete)\w*|mi_(malloc|free)\w*|operator new|operator delete|runtime\.(mallocgc\w*|newobject|makeslice|growslice|newarray|mcache\w*|\(\*mcache\)\.\w+|\(\*mheap\)\.alloc\w*))$/,
    specific: true,
  },
  // The allocated class a JFR allocation sample ends in (`new java.util.HashMap$Node`, `new byte[]`).
  { category: 'allocation', name: /^new [\w$.]+(\[\])*$/, specific: true },
  {
    category: 'kernel: page faults',
    name: /^(asm_exc_page_fault|exc_page_fault|do_page_fault|__do_page_fault|handle_mm_fault|__handle_mm_fault|do_anonymous_page|do_fault|clear_page_\w+|page_fault)$/,
    specific: true,
  },
  {
    category: 'kernel: network',
    name: /^(tcp_\w+|udp_\w+|ip_\w+|ip6_\w+|__netif_\w+|netif_\w+|net_rx_action|__dev_queue_xmit|dev_hard_start_xmit|sock_\w+|inet_\w+|__sys_(sendto|recvfrom|sendmsg|recvmsg|connect|accept4?)|loopback_xmit)$/,
    file: /^\[kernel|vmlinux|^\/lib\/modules\//,
    specific: true,
  },
  {
    category: 'jit compiler',
    name: /^(C2Compiler::\w+|C1_\w+|Compilation::\w+|Compile::\w+|CompileBroker::\w+|PhaseIdealLoop::\w+|PhaseChaitin::\w+|Parse::\w+|GraphBuilder::\w+|LinearScan::\w+|ciEnv::\w+|v8::internal::compiler::\w+.*|v8::internal::maglev::\w+.*|v8::internal::baseline::\w+.*)$/,
    specific: true,
  },
  {
    category: 'gc',
    name: /^(G1\w+::\w+|PSScavenge\w*::\w+|PSParallelCompact::\w+|ParallelScavengeHeap::\w+|GCTaskThread::\w+|ConcurrentMark\w*::\w+|ZGC\w*|Z(Mark|Relocate|Heap)\w*::\w+|Shenandoah\w+::\w+|CollectedHeap::\w+|gc_\w+|rb_gc_\w+|gc_mark\w*|gc_sweep\w*|_PyObject_GC_\w+|gc_collect_\w+|collect_generations?)$/,
    specific: true,
  },
  {
    category: 'go scheduler',
    name: /^runtime\.(schedule|findRunnable|findrunnable|park_m|gopark|goready|ready|mcall|mstart\w*|stopm|startm|notesleep|notewakeup|futexsleep|futexwakeup|futex|usleep|osyield|netpoll\w*|runqgrab|stealWork|checkTimers|lock2|unlock2|semacquire\w*|semrelease\w*)$/,
    specific: true,
  },
  {
    category: 'python interpreter',
    name: /^(_PyEval_EvalFrameDefault|_PyEval_EvalFrame|_PyEval_Vector|PyEval_EvalCode|_PyFunction_Vectorcall|_PyObject_(Vectorcall\w*|Call\w*|MakeTpCall|GetMethod|GenericGetAttr\w*)|PyObject_(Call\w*|Vectorcall\w*|GetAttr\w*|RichCompare\w*)|cfunction_\w+|method_vectorcall\w*|slot_tp_\w+|vectorcall_\w+|_PyDict_\w+|PyDict_\w+|dict_\w+|lookdict\w*|_PyType_Lookup|PyLong_\w+|long_\w+|unicode_\w+|PyUnicode_\w+|list_\w+|PyList_\w+|frame_dealloc|_Py_\w+)$/,
    specific: false,
  },
  {
    category: 'python interpreter',
    file: /(^|\/)libpython3[\d.]*\.so|(^|\/)python3(\.\d+)?$/,
    specific: false,
  },
  {
    category: 'ruby vm',
    name: /^(vm_exec_core|vm_exec|rb_vm_exec|vm_call\w*|vm_sendish|vm_invoke\w*|rb_funcall\w*|rb_call\w*|rb_yield\w*|invoke_block\w*|vm_search_method\w*)$/,
    specific: false,
  },
  { category: 'ruby vm', file: /(^|\/)libruby[\w.-]*\.so/, specific: false },
  {
    category: 'jvm interpreter',
    name: /^(Interpreter|call_stub|Interpreter::\w+|TemplateInterpreter\w*::\w+)$/,
    specific: false,
  },
  { category: 'jvm', file: /(^|\/)libjvm\.so$/, specific: false },
  // Methods from a JIT's perf map named like Java (`java.util.HashMap.get`): Java code, compiled.
  { category: 'java', file: /(^|\/)perf-\d+\.map$/, name: /^[a-z][\w$]*(\.[\w$]+){2,}$/, specific: false },
  {
    category: 'kernel',
    file: /^\[(?!unknown)|(^|\/)vmlinux[^/]*$|^\/lib\/modules\/|\.ko(\.[gx]z|\.zst)?$/,
    specific: false,
  },
  // Firefox/Gecko: the engine's own C++ (label frames) and its internal JS (self-hosted builtins, resource://).
  {
    category: 'gc',
    name: /^(js::gc::\w+.*|js::GCRuntime::\w+.*|js::Nursery::\w+.*|nsCycleCollector\w*::\w+.*)$/,
    specific: true,
  },
  {
    category: 'browser engine',
    name: /^(js::|JS::|mozilla::|ns[A-Z]\w*::|XRE_|AutoEntryScript\b|PresShell::|nsRefreshDriver|RefreshDriverTick|PBrowser::|PContent::)/,
    specific: false,
  },
  { category: 'browser engine', file: /^(resource|chrome):\/\/|^self-hosted$/, specific: false },
  {
    category: 'native (libc)',
    file: /(^|\/)(libc|libpthread|libm|ld-linux[\w-]*|libstdc\+\+|libgcc_s)[\w.-]*\.so[\d.]*$/,
    specific: false,
  },
];

/** What to do about time in each of those categories. */
export const RUNTIME_CATEGORY_ACTIONS: Record<string, string> = {
  allocation:
    'Allocate less: reuse buffers and objects, avoid per-request temporary copies; a faster allocator (jemalloc, mimalloc) helps only after that',
  'kernel: page faults':
    'Page faults: touch less new memory (reuse buffers, pre-size, huge pages); check RSS growth',
  'kernel: network':
    'Network stack time: fewer, larger writes (batch, Nagle/cork), keep-alive, avoid small packets',
  'jit compiler':
    'JIT compilation: warm up before measuring; check for deoptimisation loops and megamorphic call sites',
  'go scheduler':
    'Scheduler time: too many short goroutines or lock contention — batch work, use worker pools, check mutex/block profiles',
  'python interpreter':
    'Interpreter overhead: the cost is the Python code it runs — look at the Python frames above (py-spy --native), move hot loops to vectorised or native code',
  'ruby vm':
    'Ruby VM dispatch: look at the Ruby frames above (stackprof); reduce method calls in the hot loop',
  'jvm interpreter':
    'Interpreted Java: code not JIT-compiled yet — warm up, or check why it is not compiled (-XX:+PrintCompilation)',
  jvm: 'JVM native time: look at the Java callers (async-profiler or JFR show them with lines)',
  java: 'JIT-compiled Java: look at this method and its callers (JFR or async-profiler give line numbers)',
  'browser engine':
    "Browser engine (Gecko) time: look at the page's JavaScript callers that trigger it (DOM calls, style, layout, timers)",
  'native (libc)': 'C library time: look at the callers (memcpy/strlen on big buffers, locks, syscalls)',
};

type FrameRuntime = 'java' | 'go' | 'python';

/** Which runtime a frame's code belongs to, from its file (or, without one, its name's shape); null for Node and native. */
export function frameRuntime(f: { name: string; file?: string | null }): FrameRuntime | null {
  const file = f.file ?? '';
  if (/\.java$|^jrt:\//.test(file)) return 'java';
  if (/\.go$/.test(file)) return 'go';
  if (/\.py$|(^|\/)(site|dist)-packages\/|(^|\/)lib\/python\d(\.\d+)?\/|\.cpython-\d+[\w-]*\.so$/.test(file)) return 'python';
  if (file) return null;
  // No file: pprof without lines (`database/sql.(*DB).QueryContext`: lower-case package after the last slash),
  // async-profiler (`org/postgresql/jdbc/PgStatement.executeQuery`: a class there), JFR-style dotted names.
  const last = f.name.split('/').at(-1) ?? '';
  if (f.name.includes('/') && /^[\w.-]+(\/[\w.-]+)+/.test(f.name)) return /^[A-Z]/.test(last) ? 'java' : /^[a-z][\w-]*\./.test(last) ? 'go' : null;
  if (/^[a-z][\w$]*(\.[a-z][\w$]*)+\.[A-Z][\w$]*\.[\w$<>]+$/.test(f.name)) return 'java';
  return null;
}

/** The techniques that fit a category in a runtime, where they differ from the general advice. */
export const RUNTIME_ACTIONS: Record<FrameRuntime, Record<string, string>> = {
  java: {
    database:
      'JDBC time: batch statements (addBatch/executeBatch), set a fetch size for large results, check the pool (HikariCP maximumPoolSize, connection wait) and N+1 loads in the ORM (JOIN FETCH, @BatchSize); then the query plan',
    serialization:
      'Serialization: reuse one ObjectMapper/Gson (they cache per-type serializers), serialize less (views, trimmed DTOs) or cache the result; Jackson Afterburner/Blackbird for hot types',
    logging: 'Logging: use parameterised messages (log.debug("{}", x)), guard expensive ones, and an async appender (logback AsyncAppender, log4j2 async loggers)',
    gc: 'GC: allocate less on the hot path (JFR allocation samples name the sites), then size the heap and young generation (-Xmx, -XX:MaxGCPauseMillis)',
  },
  go: {
    database:
      'database/sql time: reuse prepared statements, batch (pgx.Batch, COPY), size the pool (SetMaxOpenConns, SetMaxIdleConns) and close Rows promptly; then the query plan',
    serialization:
      'encoding/json is reflection-heavy: encode straight to the writer (json.NewEncoder), avoid map[string]any, or use a generated or faster codec (easyjson, goccy/go-json, sonic)',
    logging: 'Logging: a structured, allocation-free logger (zap, zerolog, slog with a buffered handler), fewer lines on the hot path',
    gc: 'Go GC: allocate less (sync.Pool for buffers, pre-sized slices and maps, fewer pointers), then tune GOGC/GOMEMLIMIT',
  },
  python: {
    database:
      'Database driver time: fewer round trips (executemany, COPY, one query instead of N+1 — SQLAlchemy selectinload/joinedload), a connection pool, server-side cursors for large results; then the query plan',
    serialization: 'json time: serialize less, cache the encoded result, or use orjson (C, several times faster than the json module)',
    logging: 'Logging: lazy %-formatting (log.debug("%s", x)), a QueueHandler so handlers write off the request thread, fewer lines on the hot path',
  },
};
