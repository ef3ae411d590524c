// Child process of tst_request_log_kill: appends records to <workspace>/requests.db from four
// threads, forever, and prints each record's id on stdout once its onDurable has run. The test
// kills it with SIGKILL and checks that every printed id is in the database.
#include "store/request_log.h"
#include "sample_records.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s WORKSPACE ROUND\n", argv[0]);
        return 2;
    }
    const int round = std::atoi(argv[2]);
    gh::store::RequestLog log(argv[1]);
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w)
        writers.emplace_back([&log, w, round] {
            const int writer = round * 10 + w;
            for (int i = 0;; ++i) {
                auto record = gh::test::sampleRecord(writer, i);
                std::string line = record.requestId + "\n";
                log.append(std::move(record), [line] {
                    // One write() per line: lines from the writer thread never interleave, and a
                    // line is either in the pipe whole or not at all when the process dies.
                    if (::write(STDOUT_FILENO, line.data(), line.size()) != ssize_t(line.size()))
                        std::_Exit(3);
                });
                if (i % 64 == 63)
                    std::this_thread::sleep_for(std::chrono::microseconds(200)); // a steady stream, not a flood
            }
        });
    for (auto& t : writers)
        t.join();
}
