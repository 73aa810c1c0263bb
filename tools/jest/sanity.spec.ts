describe('toolchain', () => {
  it('runs TypeScript specs', () => {
    expect([1, 2].map((n) => n * 2)).toEqual([2, 4]);
  });
});
