/** Runtime categories: each fires on its runtime's frames and stays quiet on the user's own code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame } from '../../src/core/profile.js';
import { actionFor, categoriser } from '../../src/profile/analyse/categories.js';

const cat = categoriser();
const of = (name: string, file?: string) => {
  const f: Frame = { name, file, kind: 'code' };
  return cat.specific(f) ?? cat.generic(f);
};

test('runtime categories: interpreter, allocator, kernel, JVM, Go frames get their runtime category and advice', () => {
  const cases: [string, string | undefined, string][] = [
    ['_PyEval_EvalFrameDefault', '/usr/bin/python3.11', 'python interpreter'],
    ['_PyEval_EvalFrameDefault', undefined, 'python interpreter'],
    ['_int_free', '/usr/lib/x86_64-linux-gnu/libc.so.6', 'allocation'],
    ['malloc', '/usr/lib/x86_64-linux-gnu/libc.so.6', 'allocation'],
    ['runtime.mallocgc', '/usr/lib/go-1.19/src/runtime/malloc.go', 'allocation'],
    ['runtime.gcBgMarkWorker', '/usr/lib/go-1.19/src/runtime/mgc.go', 'gc'],
    ['runtime.findRunnable', '/usr/lib/go-1.19/src/runtime/proc.go', 'go scheduler'],
    ['do_syscall_64', '[kernel.kallsyms]', 'kernel'],
    ['ext4_file_read_iter', '/lib/modules/6.1.0/build/vmlinux', 'kernel'],
    ['tcp_sendmsg', '[kernel.kallsyms]', 'kernel: network'],
    ['exc_page_fault', '[kernel.kallsyms]', 'kernel: page faults'],
    ['java.util.HashMap.get', '/tmp/perf-4242.map', 'java'],
    ['Interpreter', '/tmp/perf-4242.map', 'jvm interpreter'],
    ['G1ParScanThreadState::trim_queue', '/usr/lib/jvm/java-17/lib/server/libjvm.so', 'gc'],
    ['C2Compiler::compile_method', '/usr/lib/jvm/java-17/lib/server/libjvm.so', 'jit compiler'],
    ['vm_exec_core', '/usr/lib/libruby.so.3.1', 'ruby vm'],
    ['__memmove_avx_unaligned_erms', '/usr/lib/x86_64-linux-gnu/libc.so.6', 'native (libc)'],
  ];
  for (const [name, file, want] of cases) assert.equal(of(name, file), want, `${name} (${file})`);
  assert.match(actionFor('python interpreter'), /Python frames/);
  assert.match(actionFor('allocation'), /Allocate less/);
  assert.doesNotMatch(actionFor('allocation'), /JavaScript/);
});

test('runtime categories: the user’s own code stays "your code"', () => {
  assert.equal(of('busy_parse', '/home/me/app/libperfwork.so'), 'your code');
  assert.equal(of('main.handler', '/home/me/app/main.go'), 'your code');
  assert.equal(of('free_list_add', '/home/me/app/pool.c'), 'your code');
  assert.equal(of('com.example.Handler.serve', '/home/me/app/Handler.java'), 'your code');
});

test('database, serialization and logging per runtime, with frames named as JFR, async-profiler, pprof, perf and py-spy name them', () => {
  const cases: [string, string | undefined, string][] = [
    // Java (JFR: dotted names, files under jrt:/ for the JDK; async-profiler: slashes).
    ['java.sql.DriverManager.getConnection', 'jrt:/java/sql/DriverManager.java', 'database'],
    ['org.postgresql.jdbc.PgStatement.executeQuery', 'org/postgresql/jdbc/PgStatement.java', 'database'],
    ['org/postgresql/core/v3/QueryExecutorImpl.processResults', undefined, 'database'],
    ['com.mysql.cj.jdbc.ClientPreparedStatement.executeQuery', 'com/mysql/cj/jdbc/ClientPreparedStatement.java', 'database'],
    ['com.zaxxer.hikari.pool.HikariPool.getConnection', 'com/zaxxer/hikari/pool/HikariPool.java', 'database'],
    ['org.hibernate.loader.Loader.doQuery', 'org/hibernate/loader/Loader.java', 'database'],
    ['com.fasterxml.jackson.databind.ObjectMapper.writeValueAsString', 'com/fasterxml/jackson/databind/ObjectMapper.java', 'serialization'],
    ['com.google.gson.Gson.toJson', 'com/google/gson/Gson.java', 'serialization'],
    ['ch.qos.logback.classic.Logger.info', 'ch/qos/logback/classic/Logger.java', 'logging'],
    ['org.apache.logging.log4j.core.Logger.logMessage', 'org/apache/logging/log4j/core/Logger.java', 'logging'],
    ['org.slf4j.helpers.MessageFormatter.arrayFormat', 'org/slf4j/helpers/MessageFormatter.java', 'logging'],
    ['java.util.logging.Logger.log', 'jrt:/java/util/logging/Logger.java', 'logging'],
    // Go (pprof: import path and receiver in the name, GOROOT or module cache in the file).
    ['database/sql.(*DB).QueryContext', '/usr/lib/go-1.19/src/database/sql/sql.go', 'database'],
    ['github.com/jackc/pgx/v5/pgconn.(*PgConn).ReadResult', '/root/go/pkg/mod/github.com/jackc/pgx/v5@v5.5.0/pgconn/pgconn.go', 'database'],
    ['encoding/json.(*encodeState).marshal', '/usr/lib/go-1.19/src/encoding/json/encode.go', 'serialization'],
    ['github.com/goccy/go-json.Marshal', '/root/go/pkg/mod/github.com/goccy/go-json@v0.10.2/json.go', 'serialization'],
    ['log.(*Logger).Output', '/usr/lib/go-1.19/src/log/log.go', 'logging'],
    ['log/slog.(*Logger).Info', '/usr/local/go/src/log/slog/logger.go', 'logging'],
    ['go.uber.org/zap.(*Logger).Info', '/root/go/pkg/mod/go.uber.org/zap@v1.26.0/logger.go', 'logging'],
    // Python (py-spy and the 3.12 perf trampoline: the function and its .py file; perf: C extensions' .so).
    ['encode', '/root/.pyenv/versions/3.12.1/lib/python3.12/json/encoder.py', 'serialization'],
    ['dumps', '/usr/lib/python3.11/json/__init__.py', 'serialization'],
    ['encoder_listencode_obj', '/usr/lib/python3.11/lib-dynload/_json.cpython-311-x86_64-linux-gnu.so', 'serialization'],
    ['callHandlers', '/usr/lib/python3.11/logging/__init__.py', 'logging'],
    ['execute', '/srv/app/.venv/lib/python3.11/site-packages/psycopg/cursor.py', 'database'],
    ['pq_execute', '/srv/app/.venv/lib/python3.11/site-packages/psycopg2/_psycopg.cpython-311-x86_64-linux-gnu.so', 'database'],
    ['_execute_context', '/usr/lib/python3/dist-packages/sqlalchemy/engine/base.py', 'database'],
    ['execute', '/usr/lib/python3.11/sqlite3/dbapi2.py', 'database'],
  ];
  for (const [name, file, want] of cases) assert.equal(of(name, file), want, `${name} (${file})`);
});

test('per-runtime library categories stay quiet on the user’s own code with similar names', () => {
  assert.equal(of('com.example.orders.SqlRepository.findAll', 'com/example/orders/SqlRepository.java'), 'your code');
  assert.equal(of('org.example.jsonapi.Handler.serve', 'org/example/jsonapi/Handler.java'), 'your code');
  assert.equal(of('main.logRequest', '/home/me/app/main.go'), 'your code');
  assert.equal(of('main.(*store).query', '/home/me/app/store.go'), 'your code');
  assert.equal(of('handle', '/home/me/app/logging_setup.py'), 'your code');
});

test('advice fits the runtime of the frame: JDBC batching for Java, database/sql pooling for Go, orjson for Python, the general text for Node', () => {
  const java = { name: 'org.postgresql.jdbc.PgStatement.executeQuery', file: 'org/postgresql/jdbc/PgStatement.java' };
  const go = { name: 'database/sql.(*DB).QueryContext', file: '/usr/lib/go-1.19/src/database/sql/sql.go' };
  const node = { name: 'Client.query', file: '/srv/app/node_modules/pg/lib/client.js' };
  assert.match(actionFor('database', [], java), /addBatch.*HikariCP/);
  assert.match(actionFor('database', [], go), /SetMaxOpenConns/);
  assert.match(actionFor('database', [], { name: 'execute', file: '/srv/app/.venv/lib/python3.11/site-packages/psycopg/cursor.py' }), /executemany/);
  assert.equal(actionFor('database', [], node), actionFor('database'));
  assert.match(actionFor('serialization', [], { name: 'encode', file: '/usr/lib/python3.12/json/encoder.py' }), /orjson/);
  assert.match(actionFor('serialization', [], { name: 'encoding/json.(*encodeState).marshal' }), /json\.NewEncoder/, 'pprof without lines');
  assert.match(actionFor('logging', [], { name: 'ch/qos/logback/classic/Logger.info' }), /AsyncAppender/, 'async-profiler without a file');
  assert.match(actionFor('gc', [], { name: 'runtime.gcBgMarkWorker', file: '/usr/lib/go-1.19/src/runtime/mgc.go' }), /GOGC/);
  // A user's own rule with an action still wins; a category without runtime advice keeps the general one.
  assert.equal(actionFor('database', [{ category: 'database', name: /x/, specific: true, action: 'ours' }], java), 'ours');
  assert.equal(actionFor('regexp', [], java), actionFor('regexp'));
});
