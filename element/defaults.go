package element

import "maps"

// applyDefinitionDefaults gives a polling instance of a registered element
// the definition's default resources when it configured none: those named
// in event.objects, or all of them. The definition comes from c.
func (inst *Instance) applyDefinitionDefaults(c *Catalogue) {
	e := &inst.Configuration.Events
	if e.VendorType != vendorPolling || len(e.Resources) > 0 {
		return
	}
	def, ok := c.Lookup(inst.Element.Key)
	if !ok || len(def.Resources) == 0 {
		return
	}
	if len(e.Objects) == 0 {
		e.Resources = maps.Clone(def.Resources)
		return
	}
	e.Resources = make(map[string]Resource, len(e.Objects))
	for _, name := range e.Objects {
		if r, ok := def.Resources[name]; ok {
			e.Resources[name] = r
		}
	}
}
