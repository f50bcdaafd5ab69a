import SlurmSpawner
import XCTest

final class SqueueQueryTests: XCTestCase {
    func testOneCallForAllJobs() {
        XCTAssertEqual(SqueueQuery.arguments(squeue: "/usr/bin/squeue", jobIDs: ["12", "13"]),
                       ["/usr/bin/squeue", "--noheader", "--states=all", "--format=%i|%T|%r|%B|%k", "--jobs=12,13"])
    }

    func testStatesReasonsAndNodes() throws {
        let output = """
            12|RUNNING|None|node7|slurmhub-a
            13|PENDING|Resources|n/a|slurmhub-b
            14|COMPLETED|None|node7|slurmhub-c
            99|RUNNING|None|node1|someone-else

            """
        let statuses = try SqueueQuery.parse(output, jobIDs: ["12", "13", "14", "15"])
        XCTAssertEqual(statuses["12"], .running(node: "node7"))
        XCTAssertEqual(statuses["13"], .pending(reason: "Resources"))
        XCTAssertEqual(statuses["14"], .gone)
        XCTAssertEqual(statuses["15"], .gone, "jobs absent from the queue are gone")
        XCTAssertNil(statuses["99"], "untracked jobs are not reported")
    }

    func testPurgedJobsAreGone() throws {
        // Seen on Slurm 22.05 when no requested id is known any more (exit status 1).
        let statuses = try SqueueQuery.parse("slurm_load_jobs error: Invalid job id specified\n", jobIDs: ["12"])
        XCTAssertEqual(statuses, ["12": .gone])
    }

    func testControllerErrorsAreNotGone() {
        for output in ["slurm_load_jobs error: Socket timed out on send/recv operation",
                       "squeue: error: Unable to contact slurm controller (connect failure)"] {
            XCTAssertThrowsError(try SqueueQuery.parse(output, jobIDs: ["12"]))
        }
    }
}

final class PartitionAvailabilityTests: XCTestCase {
    func testSinfoLinesAreSummedPerPartition() {
        let parsed = PartitionAvailability.parse("debug|up|2|6/10/0/16\ndebug|up|1|0/0/8/8\ngpu|down|1|0/0/32/32\ngarbage\n")
        XCTAssertEqual(parsed["debug"], PartitionAvailability(partition: "debug", state: "up", nodes: 3, idleCPUs: 10, totalCPUs: 24))
        XCTAssertEqual(parsed["gpu"]?.summary, "partition gpu is down, 0 of 32 CPUs idle")
        XCTAssertEqual(parsed.count, 2)
    }
}
