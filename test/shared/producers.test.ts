import { describe, expect, it } from 'vitest';
import { discoverServices } from '../../deploy/discover';
import { detailTypes, eventCatalog } from '../../shared/contract/events';

/** The catalog names each event's producer; the producer's declaration says it emits it. Each states it once. */
describe('who produces each event', () => {
  it('every event of the catalog is emitted by the service the catalog names, and by no other', async () => {
    const services = await discoverServices();
    for (const type of detailTypes) {
      const emitters = services
        .filter((s) => (s.declaration.emits as readonly string[]).includes(type))
        .map((s) => s.name);
      expect(emitters, type).toEqual([eventCatalog[type].producer]);
    }
  });

  it("every event a service emits names it as producer, so its source is the service's own", async () => {
    for (const service of await discoverServices()) {
      for (const type of service.declaration.emits) {
        expect(eventCatalog[type].source, `${service.name} emits ${type}`).toBe(`charterflow.${service.name}`);
      }
    }
  });
});
