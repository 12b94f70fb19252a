// One place for process-wide test settings; per-suite globals live in test/helpers.
process.env.TZ = 'Asia/Shanghai';
